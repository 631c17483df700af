"""HR builds a training plan from a window, edits it and exports it for a fund."""
import io
from datetime import timedelta

import openpyxl
import pytest
import sqlalchemy as sa

from skillmap import clock
from skillmap.extensions import db
from skillmap.models import PersonSkill, TrainingPlan, TrainingPlanLine
from skillmap.services import training_plan
from tests.web.test_training import files_dir, register  # noqa: F401

TODAY = clock.today()


@pytest.fixture
def window():
    return TODAY, TODAY + timedelta(days=364)


def test_proposal_lists_expiring_and_missing_mandatory_courses(org, users, register, window):
    lines = training_plan.propose(org.id, *window)
    by_topic = {ln.topic: ln for ln in lines}
    refresher = by_topic["Primo soccorso – gruppi B e C – aggiornamento"]
    assert sorted(refresher.participants) == sorted([users["employee"].person_id,
                                                     users["coordinator"].person_id])
    assert refresher.hours_each == 4 and refresher.kind == "mandatory"
    first = by_topic["Formazione generale dei lavoratori"]
    assert len(first.participants) == 4 and first.hours_each == 4 and first.priority == 1
    assert lines[0].priority == 1


def test_development_lines_close_gaps_for_people_who_want_to_learn(org, users, taxonomy,
                                                                   register, window):
    from skillmap.models import Project, ProjectRequirement

    project = Project(organisation_id=org.id, title="Rete", status="staffing", team_size=2)
    project.requirements.append(ProjectRequirement(skill_id=taxonomy["ICT-NET"].id,
                                                   min_level=3, count=2))
    db.session.add_all([project, PersonSkill(person_id=users["manager"].person_id,
                                             skill_id=taxonomy["ICT-NET"].id, level=1,
                                             wants_to_grow=True)])
    db.session.commit()
    dev = [ln for ln in training_plan.propose(org.id, *window) if ln.kind == "development"]
    assert [(ln.topic, ln.participants) for ln in dev] == [
        ("Reti informatiche", [users["manager"].person_id])]


def test_hr_saves_edits_and_exports_the_plan(client, auth, post_form, users, register, window):
    auth.login("manager")
    start, end = (d.isoformat() for d in window)
    page = f"/training/plans/new?start={start}&end={end}"
    html = client.get(page).get_data(as_text=True)
    assert "Formazione generale dei lavoratori" in html
    lines = training_plan.propose(users["manager"].organisation_id, *window)
    keep = {f"keep-{i}": "y" for i in range(len(lines))}
    keep.pop("keep-1")
    people = {f"people-{i}": [str(p) for p in ln.participants] for i, ln in enumerate(lines)}
    resp = post_form(page, {"title": "Piano 2027", **keep, **people, "hours-0": "6",
                            "cost-0": "1200"}, page=page)
    assert resp.status_code == 302
    plan = db.session.scalar(sa.select(TrainingPlan))
    assert plan.title == "Piano 2027" and len(plan.lines) == len(lines) - 1
    assert plan.lines[0].hours_each == 6 and plan.lines[0].estimated_cost == 1200
    # add and remove a line
    resp = post_form(f"/training/plans/{plan.id}/lines", {
        "topic": "Comunicazione con le famiglie", "kind": "development", "hours": "12",
        "unit": str(users["employee"].person.unit_id), "priority": "2"},
        page=f"/training/plans/{plan.id}")
    assert resp.status_code == 302
    added = db.session.scalar(sa.select(TrainingPlanLine).where(
        TrainingPlanLine.topic == "Comunicazione con le famiglie"))
    assert len(added.participants) == 4
    resp = post_form(f"/training/plans/{plan.id}/lines/{plan.lines[0].id}/delete", {},
                     page=f"/training/plans/{plan.id}")
    assert resp.status_code == 302
    db.session.expire_all()
    assert len(db.session.get(TrainingPlan, plan.id).lines) == len(lines) - 1
    # the fund's spreadsheet: actions and participants with relationship and unit
    book = openpyxl.load_workbook(io.BytesIO(
        client.get(f"/training/plans/{plan.id}/export.xlsx").data))
    participants = [[c.value for c in r] for r in book.worksheets[2].iter_rows()]
    header = participants[0]
    assert "Rapporto di lavoro" in header and "Unità" in header and "Ore" in header
    assert any("Servizi educativi" in r for r in participants[1:])
    actions = [[c.value for c in r] for r in book.worksheets[1].iter_rows()]
    assert "Obbligatoria" in [v for r in actions for v in r]
    body = client.get(f"/training/plans/{plan.id}/export.csv").data.decode("utf-8")
    assert body.startswith("\ufeff") and ";Sviluppo;" in body


def test_plans_are_for_hr_only(client, auth, users):
    auth.login("employee")
    assert client.get("/training/plans").status_code == 403
    assert client.get("/training/plans/new").status_code == 403
