"""The engine in the app: DB -> DataFrame, caching, staleness, the recompute command."""
import json
import re

import pandas as pd
import pytest
import sqlalchemy as sa

from skillmap.extensions import db
from skillmap.models import EngineResult, Organisation, Person, PersonSkill, Skill
from skillmap.services import analytics
from tests.conftest import give


def new_person(org_id, name):
    person = Person(organisation_id=org_id, first_name=name, last_name="Test")
    db.session.add(person)
    db.session.commit()
    return person


@pytest.fixture
def families_data(org, taxonomy):
    """Two clear families: care (home care, first aid) and ICT (Python, SQL, networks)."""
    people = [new_person(org.id, f"P{i}") for i in range(12)]
    for p in people[:6]:
        give(p, taxonomy, {"CARE-HOME": 3, "CARE-FIRST": 2})
    for p in people[6:]:
        give(p, taxonomy, {"ICT-PY": 3, "ICT-SQL": 4, "ICT-NET": 2})
    return people


def test_profiles_frame_has_exactly_the_organisations_rows(org, taxonomy, users):
    anna, bruno = users["employee"].person, users["coordinator"].person
    give(anna, taxonomy, {"CARE-HOME": 3, "ICT-PY": 0}, wishes={"ICT-PY"})
    give(bruno, taxonomy, {"ICT-SQL": 4, "CARE-FIRST": 1}, wishes={"ICT-SQL"})
    other = Organisation(name="Altra")
    db.session.add(other)
    db.session.commit()
    stranger_skill = Skill(organisation_id=other.id, code="X", name_it="X", name_en="X")
    db.session.add(stranger_skill)
    db.session.commit()
    stranger = new_person(other.id, "Zeno")
    db.session.add(PersonSkill(person_id=stranger.id, skill_id=stranger_skill.id, level=5))
    retired = Skill(organisation_id=org.id, code="OLD", name_it="Vecchia", name_en="Old",
                    active=False)
    db.session.add(retired)
    db.session.commit()
    db.session.add(PersonSkill(person_id=anna.id, skill_id=retired.id, level=2))
    db.session.commit()

    frame = analytics.profiles_frame(org.id)

    t = taxonomy
    expected = pd.DataFrame({
        "person": [anna.id, anna.id, bruno.id, bruno.id],
        "skill": [t["CARE-HOME"].id, t["ICT-PY"].id, t["CARE-FIRST"].id, t["ICT-SQL"].id],
        "level": [3, 0, 1, 4],
        "wants_to_grow": [False, True, False, True],
    })
    expected = expected.sort_values(["person", "skill"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(frame, expected)


def test_erased_people_leave_the_input_and_people_without_skills_are_fine(org, taxonomy, users):
    anna = users["employee"].person
    give(anna, taxonomy, {"CARE-HOME": 3})
    assert analytics.grow_next(users["manager"].person) == []  # no skills: no suggestions
    assert analytics.backups(users["manager"].person) == []
    db.session.delete(anna)
    db.session.commit()
    assert analytics.profiles_frame(org.id).empty


def test_model_is_prepared_once_and_reused(org, taxonomy, users, monkeypatch):
    calls = []
    real = analytics.engine.prepare
    monkeypatch.setattr(analytics.engine, "prepare", lambda df: calls.append(len(df)) or real(df))
    give(users["employee"].person, taxonomy, {"CARE-HOME": 3})
    analytics.engine_model(org.id)
    analytics.engine_model(org.id)
    analytics.grow_next(users["employee"].person)
    assert len(calls) == 1
    row = db.session.scalar(sa.select(EngineResult).where(EngineResult.kind == "model"))
    assert json.loads(row.payload) == {"people": 1, "rows": 1, "skills": 1}
    assert row.stale is False


def test_a_profile_change_rebuilds_the_model_from_the_database(org, taxonomy, users, monkeypatch):
    monkeypatch.setattr(analytics, "MODEL_MAX_LAG", analytics.timedelta(0))
    calls = []
    real = analytics.engine.prepare
    monkeypatch.setattr(analytics.engine, "prepare", lambda df: calls.append(len(df)) or real(df))
    anna = users["employee"].person
    give(anna, taxonomy, {"CARE-HOME": 3})
    assert list(analytics.engine_model(org.id).people) == [anna.id]
    give(users["coordinator"].person, taxonomy, {"ICT-PY": 2})
    model = analytics.engine_model(org.id)
    assert len(calls) == 2 and set(model.people) == {anna.id, users["coordinator"].person.id}
    analytics.engine_model(org.id)
    assert len(calls) == 2


def test_a_stale_model_answers_for_a_few_minutes_without_advising_held_skills(
        org, taxonomy, users, monkeypatch):
    """Right after an edit the page does not wait for a rebuild, and never suggests a skill
    the person has just added."""
    anna, bruno, carla = (users[r].person for r in ("employee", "coordinator", "manager"))
    give(bruno, taxonomy, {"CARE-HOME": 3, "CARE-FIRST": 3})
    give(carla, taxonomy, {"CARE-HOME": 4, "CARE-FIRST": 2})
    give(anna, taxonomy, {"CARE-HOME": 3})
    assert [r["skill"].code for r in analytics.grow_next(anna)] == ["CARE-FIRST"]
    calls = []
    real = analytics.engine.prepare
    monkeypatch.setattr(analytics.engine, "prepare", lambda df: calls.append(len(df)) or real(df))
    give(anna, taxonomy, {"CARE-FIRST": 2})  # marks the model stale
    assert analytics.grow_next(anna) == [] and calls == []
    monkeypatch.setattr(analytics, "MODEL_MAX_LAG", analytics.timedelta(0))
    analytics.grow_next(anna)
    assert len(calls) == 1


def test_another_process_rebuilds_its_memory_copy_from_the_database(org, taxonomy, users):
    give(users["employee"].person, taxonomy, {"CARE-HOME": 3})
    first = analytics.engine_model(org.id)
    analytics._MODELS.clear()  # as seen by a second worker process
    second = analytics.engine_model(org.id)
    assert second is not first and list(second.people) == list(first.people)


def _stale_flags(org_id):
    """Staleness of the engine's own results (the reports cache keeps a token row too)."""
    return dict(db.session.execute(sa.select(EngineResult.kind, EngineResult.stale).where(
        EngineResult.organisation_id == org_id,
        EngineResult.kind.in_(("families", "model", "progress")))).all())


@pytest.mark.parametrize("change", ["insert", "level", "wish", "delete", "erase person"])
def test_a_profile_change_marks_cached_results_stale(org, taxonomy, families_data, change):
    analytics.start_recompute(None, org.id, background=False)
    assert _stale_flags(org.id) == {"families": False, "model": False, "progress": False}
    person = families_data[0]
    row = db.session.scalar(sa.select(PersonSkill).where(PersonSkill.person_id == person.id))
    if change == "insert":
        db.session.add(PersonSkill(person_id=person.id, skill_id=taxonomy["ICT-NET"].id, level=1))
    elif change == "level":
        row.level = 5
    elif change == "wish":
        row.wants_to_grow = True
    elif change == "delete":
        db.session.delete(row)
    else:
        db.session.delete(person)
    db.session.commit()
    assert _stale_flags(org.id) == {"families": True, "model": True, "progress": False}


@pytest.mark.parametrize("during", ["model", "families", "layout", "save"])
def test_a_profile_saved_while_the_engine_runs_leaves_its_results_stale(
        org, taxonomy, families_data, during):
    """The change is committed after the input was read: the results are kept (the best
    there is) but must not be marked fresh, or nothing would ever pick the change up."""
    def save_a_profile(n, key, _seconds):
        if key == during:
            give(families_data[0], taxonomy, {"ICT-NET": 4})

    analytics.recompute(org.id, save_a_profile)
    flags = _stale_flags(org.id)
    assert flags["families"] is True and flags["model"] is True
    assert analytics.cached(org.id).stale
    # the next run reads the change and is fresh again
    analytics.recompute(org.id)
    assert _stale_flags(org.id) == {"families": False, "model": False}
    assert taxonomy["ICT-NET"].id in analytics.engine_model(org.id).skills


def test_changes_that_do_not_touch_the_engine_input_keep_results_fresh(org, taxonomy,
                                                                       families_data):
    analytics.start_recompute(None, org.id, background=False)
    row = db.session.scalar(sa.select(PersonSkill))
    row.note = "Corso 2024"
    families_data[1].first_name = "Nuovo nome"
    other = Organisation(name="Altra")
    db.session.add(other)
    db.session.commit()
    stranger = new_person(other.id, "Zeno")
    db.session.add(PersonSkill(person_id=stranger.id, skill_id=taxonomy["ICT-NET"].id, level=3))
    db.session.commit()
    assert _stale_flags(org.id) == {"families": False, "model": False, "progress": False}


def test_recompute_caches_families_and_pages_do_not_recompute(org, taxonomy, families_data,
                                                              monkeypatch):
    calls = []
    real = analytics.engine.skill_families
    monkeypatch.setattr(analytics.engine, "skill_families",
                        lambda *a, **kw: calls.append(1) or real(*a, **kw))
    timings = analytics.recompute(org.id)
    assert set(timings) == set(analytics.STEPS)
    first = analytics.cached(org.id)
    second = analytics.cached(org.id)
    assert len(calls) == 1 and first == second and not first.stale
    # the payload is the engine's answer on the database's profiles, keyed by skill id
    expected = analytics.engine.skill_families(analytics.profiles_frame(org.id), seed=0).labels
    fams = {m: f["id"] for f in first.payload["families"] for m in f["members"]}
    assert fams == {int(s): int(f) for s, f in expected.items()}
    t = taxonomy
    assert set(first.payload["positions"]) == {str(s.id) for s in t.values()}
    assert all(0 <= v <= 1 for xy in first.payload["positions"].values() for v in xy)


def test_layout_is_the_same_on_every_run(org, taxonomy, families_data):
    analytics.recompute(org.id)
    first = analytics.cached(org.id).payload["positions"]
    analytics.recompute(org.id)
    assert analytics.cached(org.id).payload["positions"] == first


def test_grow_next_and_backups_name_their_reasons(org, taxonomy, users):
    colleagues = [new_person(org.id, f"C{i}") for i in range(4)]
    for p in colleagues:
        give(p, taxonomy, {"CARE-HOME": 3, "CARE-FIRST": 3, "ICT-SQL": 3})
    anna = users["employee"].person
    give(anna, taxonomy, {"CARE-HOME": 3, "CARE-FIRST": 2, "ICT-NET": 0}, wishes={"ICT-NET"})
    grow = analytics.grow_next(anna)
    assert [(g["skill"].code, g["wished"]) for g in grow] == [("ICT-SQL", False),
                                                              ("ICT-NET", True)]
    assert {s.code for s in grow[0]["because"]} == {"CARE-HOME", "CARE-FIRST"}
    assert grow[1]["because"] == []  # nobody holds networks: only the wish speaks for it
    backups = analytics.backups(anna, k=2)
    assert [b["person"].id for b in backups] == [c.id for c in colleagues[:2]]
    assert {s.code for s in backups[0]["shared"]} == {"CARE-HOME", "CARE-FIRST"}


def test_recompute_command_prints_progress_and_timings(app, runner, org, families_data):
    app.config["ORGANISATION_NAME"] = org.name
    result = runner.invoke(args=["recompute"])
    assert result.exit_code == 0, result.output
    for n, step in enumerate(analytics.STEPS, 1):
        assert f"[{n}/5] {step}..." in result.output
    assert result.output.count("done in") == 5
    assert re.search(r"Recomputed for 12 people: \d+ skill families, \d+ bridging skills", result.output)
    assert analytics.cached(org.id) is not None


def test_a_failed_run_is_recorded_not_left_running(org, families_data, monkeypatch):
    def broken(*a, **kw):
        raise RuntimeError("boom")

    monkeypatch.setattr(analytics.engine, "skill_families", broken)
    with pytest.raises(RuntimeError):
        analytics.start_recompute(None, org.id, background=False)
    assert analytics.progress_of(org.id)["state"] == "failed"
    assert analytics.cached(org.id) is None
