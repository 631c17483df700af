"""The engine in the app: the one reader, the versioned model, the recompute job and command."""
import json
import re

import pandas as pd
import pytest
import sqlalchemy as sa

from skillmap.extensions import db
from skillmap import engine
from skillmap.models import DataVersion, Job, Organisation, Person, PersonSkill, Skill
from skillmap.services import advice, jobs, recompute, versions
from skillmap.services.profile_data import profiles_frame
from tests.conftest import give, run_jobs


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

    frame = profiles_frame(org.id)

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
    assert advice.grow_next(users["manager"].person) == []  # no skills: no suggestions
    assert advice.backups(users["manager"].person) == []
    db.session.delete(anna)
    db.session.commit()
    assert profiles_frame(org.id).empty


def version(org_id):
    return db.session.scalar(sa.select(DataVersion.version).where(
        DataVersion.organisation_id == org_id)) or 0


def test_model_is_prepared_once_per_data_version(org, taxonomy, users, monkeypatch):
    calls = []
    real = engine.prepare
    monkeypatch.setattr(engine, "prepare", lambda df: calls.append(len(df)) or real(df))
    give(users["employee"].person, taxonomy, {"CARE-HOME": 3})
    advice.engine_model(org.id)
    advice.engine_model(org.id)
    advice.grow_next(users["employee"].person)
    assert len(calls) == 1
    give(users["coordinator"].person, taxonomy, {"ICT-PY": 2})
    model = advice.engine_model(org.id)
    assert len(calls) == 2
    assert set(model.people) == {users["employee"].person.id, users["coordinator"].person.id}


def test_advice_follows_an_edit_at_once_and_never_suggests_a_held_skill(org, taxonomy, users):
    anna, bruno, carla = (users[r].person for r in ("employee", "coordinator", "manager"))
    give(bruno, taxonomy, {"CARE-HOME": 3, "CARE-FIRST": 3})
    give(carla, taxonomy, {"CARE-HOME": 4, "CARE-FIRST": 2})
    give(anna, taxonomy, {"CARE-HOME": 3})
    assert [r["skill"].code for r in advice.grow_next(anna)] == ["CARE-FIRST"]
    give(anna, taxonomy, {"CARE-FIRST": 2})
    assert advice.grow_next(anna) == []


def test_a_new_person_gets_suggestions_without_anyone_pressing_recompute(org, taxonomy, users):
    colleagues = [new_person(org.id, f"C{i}") for i in range(3)]
    for p in colleagues:
        give(p, taxonomy, {"CARE-HOME": 3, "CARE-FIRST": 3})
    newcomer = new_person(org.id, "Nuovo")
    give(newcomer, taxonomy, {"CARE-HOME": 2})
    assert [r["skill"].code for r in advice.grow_next(newcomer)] == ["CARE-FIRST"]


def test_another_process_gives_the_same_answer(org, taxonomy, users):
    give(users["employee"].person, taxonomy, {"CARE-HOME": 3})
    first = advice.engine_model(org.id)
    versions.clear()  # as seen by a second worker process
    second = advice.engine_model(org.id)
    assert second is not first and list(second.people) == list(first.people)


@pytest.mark.parametrize("change", ["insert", "level", "wish", "delete", "erase person",
                                    "bulk delete", "skill renamed", "unit added"])
def test_every_change_of_derived_data_bumps_the_version_once(org, taxonomy, families_data,
                                                             change):
    from skillmap.models import Unit

    before = version(org.id)
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
    elif change == "erase person":
        db.session.delete(person)
    elif change == "bulk delete":
        db.session.execute(sa.delete(PersonSkill).where(PersonSkill.person_id == person.id))
    elif change == "skill renamed":
        taxonomy["ICT-NET"].name_it = "Reti"
    else:
        db.session.add(Unit(organisation_id=org.id, name="Nuova"))
    db.session.commit()
    assert version(org.id) == before + 1


def test_changes_that_do_not_touch_derived_data_keep_the_version(org, taxonomy, families_data):
    from skillmap.models import User

    before = version(org.id)
    user = User(organisation_id=org.id, email="x@test.coop", role="employee")
    user.password_hash = "x"
    db.session.add(user)
    db.session.commit()
    other = Organisation(name="Altra")
    db.session.add(other)
    db.session.commit()
    stranger = new_person(other.id, "Zeno")
    db.session.add(PersonSkill(person_id=stranger.id, skill_id=taxonomy["ICT-NET"].id, level=3))
    db.session.commit()
    assert version(org.id) == before


def test_a_rolled_back_change_moves_nothing_and_caches_nothing(org, taxonomy, families_data):
    new = Skill(organisation_id=org.id, code="NEW", name_it="Nuova", name_en="New")
    db.session.add(new)
    db.session.commit()
    before = version(org.id)
    person = families_data[0]
    db.session.add(PersonSkill(person_id=person.id, skill_id=new.id, level=5))
    db.session.flush()
    during = advice.engine_model(org.id)  # sees the uncommitted row...
    assert new.id in during.skills
    db.session.rollback()
    assert version(org.id) == before
    after = advice.engine_model(org.id)  # ...but was not kept for others
    assert new.id not in after.skills
    assert new.id not in set(profiles_frame(org.id)["skill"])


def test_a_change_queues_one_debounced_recompute(app, org, taxonomy, families_data):
    queued = db.session.scalars(sa.select(Job).where(Job.kind == "recompute")).all()
    assert [(j.state, j.origin) for j in queued] == [("queued", "auto")]
    give(families_data[0], taxonomy, {"ICT-NET": 2})  # joins the waiting job
    assert db.session.scalar(sa.select(sa.func.count(Job.id))) == 1
    assert run_jobs() == 1
    job = db.session.scalar(sa.select(Job))
    assert job.state == "done" and job.data_version == version(org.id)
    result = recompute.family_result(org.id)
    assert result is not None and not result.outdated
    give(families_data[1], taxonomy, {"ICT-NET": 3})
    assert recompute.family_result(org.id).outdated  # shown "as of" the older version
    assert run_jobs() == 1
    assert not recompute.family_result(org.id).outdated


def test_two_requests_start_one_job(org, families_data):
    run_jobs()
    first, new1 = recompute.request(org.id)
    second, new2 = recompute.request(org.id)
    db.session.commit()
    assert (new1, new2) == (True, False) and first.id == second.id
    assert run_jobs() == 1


def test_asking_again_and_again_joins_the_waiting_job(org, families_data):
    """Every save asks for a recompute: on PostgreSQL the statement is prepared after a few
    runs on one connection, and every request must still join the waiting job, never fail."""
    run_jobs()
    first, _ = recompute.request(org.id)
    db.session.commit()
    for _ in range(25):
        again, new = recompute.request(org.id)
        db.session.commit()
        assert (again.id, new) == (first.id, False)
    assert run_jobs() == 1


def test_a_job_whose_consumer_died_is_shown_failed_and_can_run_again(app, org, families_data):
    run_jobs()
    job, _ = recompute.request(org.id)
    db.session.commit()
    # a consumer claimed it and was killed: running, with a heartbeat that stopped long ago
    db.session.execute(sa.update(Job).where(Job.id == job.id).values(
        state="running", started_at=jobs.utcnow() - jobs.timedelta(minutes=5),
        heartbeat_at=jobs.utcnow() - jobs.timedelta(minutes=5)))
    db.session.commit()
    db.session.expire_all()
    assert jobs.effective_state(db.session.get(Job, job.id)) == "failed"
    again, new = recompute.request(org.id)
    db.session.commit()
    assert new and again.id != job.id
    assert db.session.get(Job, job.id).state == "failed"
    assert run_jobs() >= 1
    assert db.session.get(Job, again.id).state == "done"


def test_a_job_finds_another_running_and_waits(org, families_data):
    run_jobs()
    running, _ = recompute.request(org.id)
    db.session.commit()
    db.session.execute(sa.update(Job).where(Job.id == running.id).values(
        state="running", started_at=jobs.utcnow(), heartbeat_at=jobs.utcnow()))
    db.session.commit()
    waiting, new = recompute.request(org.id)
    db.session.commit()
    assert new
    with pytest.raises(jobs.JobBusy):
        jobs.run(waiting.id)
    assert db.session.get(Job, waiting.id).state == "queued"


def test_recompute_stores_families_and_pages_do_not_recompute(org, taxonomy, families_data,
                                                              monkeypatch):
    calls = []
    real = engine.skill_families
    monkeypatch.setattr(engine, "skill_families",
                        lambda *a, **kw: calls.append(1) or real(*a, **kw))
    job, state = recompute.run_now(org.id)
    assert state == "done"
    assert set(json.loads(job.result)["timings"]) == set(recompute.STEPS)
    first = recompute.family_result(org.id)
    second = recompute.family_result(org.id)
    assert len(calls) == 1 and first == second and not first.outdated
    expected = real(profiles_frame(org.id), seed=0).labels
    fams = {m: f["id"] for f in first.payload["families"] for m in f["members"]}
    assert fams == {int(s): int(f) for s, f in expected.items()}
    assert set(first.payload["positions"]) == {str(s.id) for s in taxonomy.values()}
    assert all(0 <= v <= 1 for xy in first.payload["positions"].values() for v in xy)


@pytest.mark.parametrize("during", ["families", "layout", "save"])
def test_a_profile_saved_while_the_job_runs_leaves_the_result_outdated(
        org, taxonomy, families_data, during):
    def save_a_profile(n, key):
        if key == during:
            give(families_data[0], taxonomy, {"ICT-NET": 4})

    recompute.run_now(org.id, on_step=save_a_profile)
    assert recompute.family_result(org.id).outdated
    # the change queued the next run, which catches it
    run_jobs()
    assert not recompute.family_result(org.id).outdated


def test_layout_is_the_same_on_every_run(org, taxonomy, families_data):
    recompute.run_now(org.id)
    first = recompute.family_result(org.id).payload["positions"]
    row = db.session.scalar(sa.select(PersonSkill))
    row.level, old = 5, row.level
    db.session.commit()
    row.level = old  # the same data again, at a newer version
    db.session.commit()
    recompute.run_now(org.id)
    assert recompute.family_result(org.id).data_version == version(org.id)
    assert recompute.family_result(org.id).payload["positions"] == first


def test_grow_next_and_backups_name_their_reasons(org, taxonomy, users):
    colleagues = [new_person(org.id, f"C{i}") for i in range(4)]
    for p in colleagues:
        give(p, taxonomy, {"CARE-HOME": 3, "CARE-FIRST": 3, "ICT-SQL": 3})
    anna = users["employee"].person
    give(anna, taxonomy, {"CARE-HOME": 3, "CARE-FIRST": 2, "ICT-NET": 0}, wishes={"ICT-NET"})
    grow = advice.grow_next(anna)
    assert [(g["skill"].code, g["wished"]) for g in grow] == [("ICT-SQL", False),
                                                              ("ICT-NET", True)]
    assert {s.code for s in grow[0]["because"]} == {"CARE-HOME", "CARE-FIRST"}
    assert grow[1]["because"] == []  # nobody holds networks: only the wish speaks for it
    backups = advice.backups(anna, k=2)
    assert [b["person"].id for b in backups] == [c.id for c in colleagues[:2]]
    assert {s.code for s in backups[0]["shared"]} == {"CARE-HOME", "CARE-FIRST"}


def test_recompute_command_prints_progress_and_writes_the_job(app, runner, org, families_data):
    app.config["ORGANISATION_NAME"] = org.name
    result = runner.invoke(args=["recompute"])
    assert result.exit_code == 0, result.output
    for n, step in enumerate(recompute.STEPS, 1):
        assert f"[{n}/4] {step}..." in result.output
    assert re.search(r"Recomputed for 12 people: \d+ skill families, \d+ bridging skills",
                     result.output)
    job = jobs.latest(org.id, "recompute")  # the waiting automatic run, run by the command
    assert job.state == "done" and job.step == 4 and job.started_at and job.finished_at
    assert recompute.family_result(org.id) is not None


def test_recompute_command_refuses_while_one_runs(app, runner, org, families_data):
    app.config["ORGANISATION_NAME"] = org.name
    run_jobs()
    job, _ = recompute.request(org.id)
    db.session.commit()
    db.session.execute(sa.update(Job).where(Job.id == job.id).values(
        state="running", started_at=jobs.utcnow(), heartbeat_at=jobs.utcnow()))
    db.session.commit()
    result = runner.invoke(args=["recompute"])
    assert result.exit_code == 1 and "already running" in result.output


def test_a_failed_run_is_recorded_not_left_running(org, families_data, monkeypatch):
    def broken(*a, **kw):
        raise RuntimeError("boom")

    monkeypatch.setattr(engine, "skill_families", broken)
    job, state = recompute.run_now(org.id)
    assert state == "failed" and job.state == "failed" and job.error == "RuntimeError"
    assert recompute.family_result(org.id) is None


def _reads(monkeypatch):
    """Count full reads and per-person reads of the one profile reader."""
    from skillmap.services import profile_data

    calls = []
    real = profile_data._profile_rows
    monkeypatch.setattr(profile_data, "_profile_rows",
                        lambda org, people=None: calls.append(people) or real(org, people))
    return calls


def test_an_edit_patches_the_cached_profile_table_instead_of_reloading(
        org, taxonomy, families_data, monkeypatch):
    from skillmap.services.profile_data import profile_table

    profile_table(org.id)
    calls = _reads(monkeypatch)
    person = families_data[0]
    row = db.session.scalar(sa.select(PersonSkill).where(PersonSkill.person_id == person.id))
    row.level = 5
    db.session.add(PersonSkill(person_id=person.id, skill_id=taxonomy["ICT-NET"].id, level=2))
    db.session.commit()
    patched = profile_table(org.id)
    assert calls == [{person.id}]                       # only her rows were read again
    versions.clear()
    full = profile_table(org.id)
    pd.testing.assert_frame_equal(patched, full)
    assert ((patched["person"] == person.id) & (patched["level"] == 5)).any()


@pytest.mark.parametrize("change", ["skill retired", "bulk delete"])
def test_a_change_that_may_touch_anyone_reloads_in_full(org, taxonomy, families_data,
                                                        monkeypatch, change):
    from skillmap.services.profile_data import profile_table

    profile_table(org.id)
    calls = _reads(monkeypatch)
    if change == "skill retired":
        taxonomy["ICT-NET"].active = False
    else:
        db.session.execute(sa.delete(PersonSkill).where(
            PersonSkill.person_id == families_data[7].id))
    db.session.commit()
    table = profile_table(org.id)
    assert calls == [None]
    if change == "skill retired":
        assert taxonomy["ICT-NET"].id not in set(table["skill"])
    else:
        assert families_data[7].id not in set(table["person"])


def test_a_new_person_and_an_erased_one_are_patched_in(org, taxonomy, families_data,
                                                       monkeypatch):
    from skillmap.services.profile_data import people_table, profile_table

    profile_table(org.id)
    people_table(org.id)
    calls = _reads(monkeypatch)
    newcomer = new_person(org.id, "Nuova")
    give(newcomer, taxonomy, {"CARE-HOME": 4})
    db.session.delete(families_data[1])
    db.session.commit()
    table = profile_table(org.id)
    assert all(c is not None for c in calls)
    assert newcomer.id in set(table["person"]) and families_data[1].id not in set(table["person"])
    people = people_table(org.id)
    assert newcomer.id in set(people["person"]) and families_data[1].id not in set(people["person"])
