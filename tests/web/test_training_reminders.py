"""Training reminders through the real SMTP server: once per deadline and step."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from skillmap.extensions import db
from skillmap.models import (
    TrainingCourse,
    TrainingRecord,
    TrainingReminder,
    TrainingRule,
)
from skillmap.services import training_reminders
from skillmap.services.training_catalogue import load_courses
from tests.conftest import run_jobs

DUE = date(2027, 3, 31)


@pytest.fixture
def deadline(org, users):
    """Anna's first-aid course ends on DUE; general training is required of everybody."""
    load_courses(org)
    db.session.flush()
    ps = db.session.scalar(sa.select(TrainingCourse).where(TrainingCourse.code == "PS-BC"))
    gen = db.session.scalar(sa.select(TrainingCourse).where(TrainingCourse.code == "SIC-GEN"))
    db.session.add_all([
        TrainingRecord(organisation_id=org.id, person_id=users["employee"].person_id,
                       course_id=ps.id, completed_on=date(2024, 3, 31), expires_on=DUE),
        TrainingRule(organisation_id=org.id, course_id=gen.id)])
    db.session.commit()
    return ps


def _run(day: date, **kw) -> dict:
    out = training_reminders.run_all(day, **kw)
    run_jobs()
    return out


@pytest.mark.parametrize("days_before, step", [(90, 90), (31, 90), (30, 30), (1, 30), (0, 0),
                                               (-3, 0)])
def test_step_reached(days_before, step):
    assert training_reminders.step_for(days_before, (90, 30, 0)) == step


def test_no_step_before_90_days_or_long_after():
    assert training_reminders.step_for(91, (90, 30, 0)) is None
    assert training_reminders.step_for(-30, (90, 30, 0)) is None


def test_each_step_is_sent_once_to_the_person_and_to_hr(app, deadline, smtp):
    assert _run(DUE - timedelta(days=91), digest=False) == {"person": 0, "hr": 0, "digest": 0}
    assert smtp.messages == []
    _run(DUE - timedelta(days=90), digest=False)
    anna = smtp.to("employee@test.coop")
    assert len(anna) == 1 and "Primo soccorso" in anna[0]["Subject"]
    assert "scade tra 90 giorni" in smtp.text(anna[0]) and "scade tra 90 giorni" in smtp.html(anna[0])
    hr = smtp.to("manager@test.coop")
    assert len(hr) == 1 and "Rossi Anna" in smtp.text(hr[0])
    # the next days: nothing new until the 30-day step
    for day in (89, 60, 31):
        _run(DUE - timedelta(days=day), digest=False)
    assert len(smtp.to("employee@test.coop")) == 1 and len(smtp.to("manager@test.coop")) == 1
    _run(DUE - timedelta(days=30), digest=False)
    _run(DUE - timedelta(days=29), digest=False)
    assert len(smtp.to("employee@test.coop")) == 2 and len(smtp.to("manager@test.coop")) == 2
    _run(DUE, digest=False)
    _run(DUE, digest=False)
    anna = smtp.to("employee@test.coop")
    assert len(anna) == 3 and "scade oggi" in smtp.text(anna[-1])
    keys = db.session.scalars(sa.select(TrainingReminder.step).where(
        TrainingReminder.audience == "person")).all()
    assert sorted(keys) == [0, 30, 90]


def test_person_who_turned_messages_off_gets_none_but_hr_does(app, deadline, users, smtp):
    users["employee"].person.email_notifications = False
    db.session.commit()
    _run(DUE - timedelta(days=30), digest=False)
    assert smtp.to("employee@test.coop") == [] and len(smtp.to("manager@test.coop")) == 1


def test_english_reader_gets_english(app, deadline, users, smtp):
    users["employee"].locale = "en"
    db.session.commit()
    _run(DUE - timedelta(days=30), digest=False)
    msg = smtp.to("employee@test.coop")[0]
    assert "First aid" in msg["Subject"] and "expires in 30 days" in smtp.text(msg)


def test_weekly_digest_once_a_week(app, deadline, smtp):
    monday = date(2027, 3, 1)
    assert monday.weekday() == 0
    _run(monday)
    digests = [m for m in smtp.to("manager@test.coop") if "settimana" in m["Subject"]]
    assert len(digests) == 1 and "mancanti" in smtp.text(digests[0])
    _run(monday, digest=True)
    _run(monday + timedelta(days=1))
    digests = [m for m in smtp.to("manager@test.coop") if "settimana" in m["Subject"]]
    assert len(digests) == 1


def test_admin_sees_what_was_sent(app, client, auth, deadline, smtp):
    _run(DUE - timedelta(days=30), digest=False)
    auth.login("admin")
    html = client.get("/training/reminders").get_data(as_text=True)
    assert "Anna Rossi" in html and "PS-BC" in html
    auth.logout()
    auth.login("manager")
    assert client.get("/training/reminders").status_code == 403


def test_cli_runs_the_reminders(app, runner, deadline, smtp):
    result = runner.invoke(args=["training-reminders", "--date", "2027-03-01", "--no-digest"])
    assert result.exit_code == 0, result.output
    assert "1 to people, 1 to HR, 0 weekly digests" in result.output
