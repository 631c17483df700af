"""Merging two skills: nothing lost, nothing duplicated, the preview tells the truth,
one transaction."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa

from skillmap.extensions import db
from skillmap.models import (
    Job,
    Person,
    PersonSkill,
    Project,
    ProjectRequirement,
    RoleTarget,
    Skill,
    SkillChange,
    SkillProposal,
)
from skillmap.services import skill_merge, skill_search

OLD = datetime(2024, 1, 10, tzinfo=timezone.utc)
NEW = datetime(2025, 6, 1, tzinfo=timezone.utc)


@pytest.fixture
def dup(org, taxonomy):
    """A duplicate of ICT-PY, made by someone who did not find it."""
    skill = Skill(organisation_id=org.id, code="ICT-PYTHON-LANG",
                  area_id=taxonomy["ICT-PY"].area_id,
                  name_it="Linguaggio Python", name_en="Python language", aliases="py3",
                  esco_uri="http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d")
    db.session.add(skill)
    db.session.commit()
    return skill


def _person(org, first):
    p = Person(organisation_id=org.id, first_name=first, last_name="Test", job_title="Educatore")
    db.session.add(p)
    db.session.flush()
    return p


def _hold(person, skill, level, *, when, history=True, **kw):
    ps = PersonSkill(person_id=person.id, skill_id=skill.id, level=level, updated_at=when, **kw)
    db.session.add(ps)
    if history:
        db.session.add(SkillChange(person_id=person.id, skill_id=skill.id, kind="added",
                                   new_level=level, changed_at=when))
    return ps


@pytest.fixture
def world(org, users, taxonomy, dup):
    """Profiles, history, requirements, role targets and a proposal on both skills."""
    py = taxonomy["ICT-PY"]
    coordinator = users["coordinator"]
    anna, bruno, carla, dario = (_person(org, n) for n in ("Anna", "Bruno", "Carla", "Dario"))
    # Anna holds both: the duplicate is newer, higher and confirmed
    _hold(anna, py, 2, when=OLD, note="corso base", last_used_year=2019,
          evidence_expires_on=date(2025, 1, 1))
    _hold(anna, dup, 4, when=NEW, note="progetto scuole", last_used_year=2025,
          evidence_expires_on=date(2024, 1, 1), confirmed_level=4,
          confirmed_by_id=coordinator.id, confirmed_at=NEW, confirmation_comment="ottimo")
    _hold(bruno, dup, 3, when=NEW)                      # only the duplicate
    _hold(carla, py, 1, when=OLD)                       # only the surviving skill
    _hold(dario, py, 3, when=OLD)                       # a level on one, a wish on the other
    _hold(dario, dup, 0, when=NEW, wants_to_grow=True)
    both = Project(organisation_id=org.id, title="Sportello digitale", status="staffing")
    one = Project(organisation_id=org.id, title="Corso per soci", status="idea")
    db.session.add_all([both, one])
    db.session.flush()
    db.session.add_all([
        ProjectRequirement(project_id=both.id, skill_id=py.id, min_level=3, weight=5, count=1),
        ProjectRequirement(project_id=both.id, skill_id=dup.id, min_level=4, weight=2, count=2),
        ProjectRequirement(project_id=one.id, skill_id=dup.id, min_level=2, weight=3, count=1),
        RoleTarget(organisation_id=org.id, job_title="Educatore", skill_id=py.id, min_level=2),
        RoleTarget(organisation_id=org.id, job_title="Educatore", skill_id=dup.id, min_level=3),
        RoleTarget(organisation_id=org.id, job_title="Cuoco", skill_id=dup.id, min_level=1),
        SkillProposal(organisation_id=org.id, name="Python", status="mapped",
                      resulting_skill_id=dup.id),
    ])
    db.session.commit()
    return {"py": py, "dup": dup, "anna": anna, "bruno": bruno, "carla": carla, "dario": dario,
            "both": both, "one": one, "admin": users["admin"]}


def _rows(model, skill_id):
    return db.session.scalars(sa.select(model).where(model.skill_id == skill_id)).all()


def _counts():
    return {m.__table__.name: db.session.scalar(sa.select(sa.func.count()).select_from(m))
            for m in (PersonSkill, SkillChange, ProjectRequirement, RoleTarget)}


def test_preview_counts_every_table(world):
    plan = skill_merge.preview(world["dup"], world["py"])
    assert plan.as_dict() == {
        "person_skill": {"moved": 1, "combined": 2, "added": 0, "updated": 0},
        "skill_change": {"moved": 3, "combined": 0, "added": 3, "updated": 0},
        "project_requirement": {"moved": 1, "combined": 1, "added": 0, "updated": 0},
        "role_target": {"moved": 1, "combined": 1, "added": 0, "updated": 0},
        "skill_proposal": {"moved": 1, "combined": 0, "added": 0, "updated": 0},
        "skill": {"moved": 0, "combined": 0, "added": 0, "updated": 2},
        # the training register's links to a skill (none to this one here) are found too
        "training_course": {"moved": 0, "combined": 0, "added": 0, "updated": 0},
        "training_plan_line": {"moved": 0, "combined": 0, "added": 0, "updated": 0},
    }
    assert plan.people_with_both == 2
    assert db.session.get(Skill, world["dup"].id).active  # the preview changes nothing


def test_merge_loses_and_duplicates_nothing(world):
    py, dup = world["py"], world["dup"]
    before = _counts()
    history_before = {(c.person_id, c.kind, c.new_level, c.changed_at.replace(tzinfo=None))
                      for c in db.session.scalars(sa.select(SkillChange))}
    plan = skill_merge.merge(dup, py, actor=world["admin"])
    db.session.commit()

    after = _counts()
    # one profile row fewer per person who held both; history grows by one row per person moved
    assert after["person_skill"] == before["person_skill"] - 2
    assert after["skill_change"] == before["skill_change"] + 3
    assert after["project_requirement"] == before["project_requirement"] - 1
    assert after["role_target"] == before["role_target"] - 1
    assert plan.table("person_skill").combined == 2
    for model in (PersonSkill, SkillChange, ProjectRequirement, RoleTarget):
        assert _rows(model, dup.id) == []
    # every person holds the surviving skill exactly once
    held = db.session.execute(sa.select(PersonSkill.person_id, sa.func.count())
                              .where(PersonSkill.skill_id == py.id)
                              .group_by(PersonSkill.person_id)).all()
    assert sorted(n for _p, n in held) == [1, 1, 1, 1]
    assert {p for p, _n in held} == {world[n].id for n in ("anna", "bruno", "carla", "dario")}

    # Anna held both: the higher level and the newer evidence survive, both notes kept
    anna = db.session.scalar(sa.select(PersonSkill).where(
        PersonSkill.person_id == world["anna"].id))
    assert (anna.level, anna.last_used_year, anna.evidence_expires_on) == (4, 2025,
                                                                           date(2025, 1, 1))
    assert (anna.confirmed_level, anna.confirmation_comment) == (4, "ottimo")
    assert anna.note == "progetto scuole · corso base"
    dario = db.session.scalar(sa.select(PersonSkill).where(
        PersonSkill.person_id == world["dario"].id))
    assert (dario.level, dario.wants_to_grow) == (3, True)
    bruno = db.session.scalar(sa.select(PersonSkill).where(
        PersonSkill.person_id == world["bruno"].id))
    assert bruno.level == 3

    # no history row is lost: the old ones are all there, moved, with the name they had
    history_after = db.session.scalars(sa.select(SkillChange)).all()
    assert history_before <= {(c.person_id, c.kind, c.new_level,
                               c.changed_at.replace(tzinfo=None)) for c in history_after}
    moved = [c for c in history_after if c.kind == "added" and c.detail]
    assert {c.person_id for c in moved} == {world[n].id for n in ("anna", "bruno", "dario")}
    assert all(c.former_name("it") == "Linguaggio Python" for c in moved)
    # ... and the history says what the merge did for each person moved
    merged = {c.person_id: c for c in history_after if c.kind == "merged"}
    assert set(merged) == {world[n].id for n in ("anna", "bruno", "dario")}
    assert (merged[world["anna"].id].old_level, merged[world["anna"].id].new_level) == (4, 4)
    assert (merged[world["dario"].id].old_level, merged[world["dario"].id].new_level) == (0, 3)
    assert merged[world["anna"].id].former_name("en") == "Python language"
    assert merged[world["anna"].id].changed_by_id == world["admin"].id

    # a requirement on both skills in one project becomes one, with the larger needs
    [req] = [r for r in _rows(ProjectRequirement, py.id) if r.project_id == world["both"].id]
    assert (req.min_level, req.weight, req.count) == (4, 5, 2)
    assert {r.project_id for r in _rows(ProjectRequirement, py.id)} == {world["both"].id,
                                                                       world["one"].id}
    targets = {(t.job_title, t.min_level) for t in _rows(RoleTarget, py.id)}
    assert targets == {("Educatore", 3), ("Cuoco", 1)}
    assert db.session.scalar(sa.select(SkillProposal.resulting_skill_id)) == py.id

    # the taxonomy: the duplicate's names are aliases now, it is retired and points here
    db.session.refresh(py)
    db.session.refresh(dup)
    assert set(py.aliases.split("|")) >= {"python", "Linguaggio Python", "Python language",
                                          "py3"}
    assert py.esco_uri == "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"
    assert (dup.active, dup.merged_into_id, dup.esco_uri) == (False, py.id, None)
    assert [m.skill_id for m in skill_search.search(py.organisation_id, "linguaggio python")] \
        == [py.id]
    # the engine results are recomputed
    assert db.session.scalar(sa.select(sa.func.count(Job.id)).where(
        Job.kind == "recompute", Job.state == "queued")) == 1


def test_preview_announces_what_the_merge_does(world):
    plan = skill_merge.preview(world["dup"], world["py"])
    done = skill_merge.merge(world["dup"], world["py"], actor=world["admin"])
    assert done.as_dict() == plan.as_dict()


def test_a_merge_rolled_back_changes_nothing(world):
    before = _counts()
    skill_merge.merge(world["dup"], world["py"], actor=world["admin"])
    db.session.rollback()
    assert _counts() == before
    assert db.session.get(Skill, world["dup"].id).active
    assert len(_rows(PersonSkill, world["dup"].id)) == 3


@pytest.mark.parametrize("case", ["same", "merged", "target_retired", "other_org"])
def test_merges_that_are_refused(world, org, case):
    from skillmap.models import Organisation

    py, dup = world["py"], world["dup"]
    source, target = dup, py
    if case == "same":
        target = dup
    elif case == "merged":
        skill_merge.merge(dup, py, actor=world["admin"])
        source, target = dup, world["py"]
    elif case == "target_retired":
        py.active = False
    else:
        other = Organisation(name="Altra")
        db.session.add(other)
        db.session.flush()
        target = Skill(organisation_id=other.id, code="X", name_it="X", name_en="X")
        db.session.add(target)
        db.session.flush()
    with pytest.raises(skill_merge.MergeError) as exc:
        skill_merge.merge(source, target, actor=world["admin"])
    assert exc.value.reason == case


def test_every_reference_to_a_skill_has_a_merge_rule():
    """A new table that refers to skills and must stay unique needs its own rule."""
    refs = skill_merge.references()
    assert ("person_skill", "skill_id", True) in refs
    unhandled = [(t, c) for t, c, unique in refs
                 if unique and (t, c) not in skill_merge.HANDLED]
    assert unhandled == []


def test_merge_into_a_skill_whose_own_duplicate_was_merged_before(world, org):
    """A chain: A merged into B, then B into C: A points at C."""
    third = Skill(organisation_id=org.id, code="ICT-PYTHON-3", area_id=world["py"].area_id,
                  name_it="Python 3", name_en="Python 3")
    db.session.add(third)
    db.session.commit()
    skill_merge.merge(third, world["dup"], actor=world["admin"])
    skill_merge.merge(world["dup"], world["py"], actor=world["admin"])
    db.session.commit()
    assert db.session.get(Skill, third.id).merged_into_id == world["py"].id


def test_recent_edit_of_a_moved_profile_row_is_refused_as_stale(world):
    """The moved rows get a new version: a form opened before the merge cannot overwrite."""
    row = _rows(PersonSkill, world["dup"].id)[0]
    version = row.version
    skill_merge.merge(world["dup"], world["py"], actor=world["admin"])
    db.session.commit()
    moved = db.session.get(PersonSkill, row.id)
    assert moved is None or moved.version > version
