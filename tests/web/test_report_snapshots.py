"""Unfiltered reports computed by the ``reports`` job and served "as of" their data version."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from skillmap.extensions import db
from skillmap.models import Job, PersonSkill, ReportSnapshot
from skillmap.services import report_snapshots
from tests.conftest import run_jobs
from tests.web.test_reports import coop, page_table  # noqa: F401  (fixture)

BANNER = "report-behind"   # the "as of" banner


@pytest.fixture
def snapshots(app):
    app.config["REPORT_SNAPSHOTS"] = True
    yield app


def _snapshot_now(org_id):
    report_snapshots.request(org_id, origin="test", delay=0)
    db.session.commit()
    assert run_jobs() >= 1


def _gap_rows(client, path="/reports/gaps"):
    html = client.get(path).get_data(as_text=True)
    return html, page_table(html, "report-table")


def _more_python(coop, taxonomy):
    """Six more people at level 4 in the skill a project asks for: the supply is shown."""
    for person in coop["people"][8:14]:
        db.session.add(PersonSkill(person_id=person.id, skill_id=taxonomy["ICT-PY"].id, level=4))
    db.session.commit()


def test_the_job_stores_every_kind_in_every_language(snapshots, coop, org):
    _snapshot_now(org.id)
    keys = set(db.session.scalars(sa.select(ReportSnapshot.key)
                                  .where(ReportSnapshot.organisation_id == org.id)))
    assert keys == {f"{k}:{lang}:5" for k in report_snapshots.KINDS for lang in ("it", "en")}


def test_pages_serve_the_snapshot_and_say_when_the_data_has_moved_on(
        snapshots, client, auth, coop, org, taxonomy):
    auth.login("manager")
    _snapshot_now(org.id)
    html, before = _gap_rows(client)
    assert BANNER not in html and before

    _more_python(coop, taxonomy)
    queued = db.session.scalars(sa.select(Job).where(Job.kind == report_snapshots.JOB_KIND,
                                                     Job.state == "queued")).all()
    assert len(queued) == 1          # the change queued the next snapshot, once

    html, stale = _gap_rows(client)
    assert stale == before           # the snapshot, not a mix of two versions
    assert BANNER in html and "i dati sono cambiati una volta" in html
    html, fresh = _gap_rows(client, "/reports/gaps?fresh=1")
    assert fresh != before and BANNER not in html

    run_jobs()                       # the consumer stores the new snapshot
    html, after = _gap_rows(client)
    assert after == fresh and BANNER not in html


def test_exports_come_from_the_same_snapshot_as_the_page(snapshots, client, auth, coop, org,
                                                         taxonomy):
    auth.login("manager")
    _snapshot_now(org.id)
    first = client.get("/reports/gaps.csv").get_data(as_text=True)
    _more_python(coop, taxonomy)
    assert client.get("/reports/gaps.csv").get_data(as_text=True) == first
    assert client.get("/reports/gaps.csv?fresh=1").get_data(as_text=True) != first


def test_a_snapshot_left_behind_too_long_is_not_served(snapshots, client, auth, coop, org,
                                                       taxonomy):
    auth.login("manager")
    _snapshot_now(org.id)
    _html, before = _gap_rows(client)
    snapshots.config["REPORT_SNAPSHOT_MAX_AGE"] = 0   # no consumer has refreshed it
    _more_python(coop, taxonomy)
    html, now = _gap_rows(client)
    assert now != before and BANNER not in html


def test_filtered_views_are_always_current(snapshots, client, auth, coop, org, taxonomy):
    auth.login("manager")
    _snapshot_now(org.id)
    path = f"/reports/gaps?unit={coop['odd'].id}"
    _more_python(coop, taxonomy)     # six people of that unit now hold the skill asked
    html, now = _gap_rows(client, path)
    assert BANNER not in html
    assert now == _gap_rows(client, path + "&fresh=1")[1]
    assert now != _gap_rows(client, "/reports/gaps")[1]  # the whole-organisation snapshot


def test_without_snapshots_a_change_queues_no_reports_job(app, coop, taxonomy):
    _more_python(coop, taxonomy)
    assert db.session.scalar(sa.select(sa.func.count(Job.id))
                             .where(Job.kind == report_snapshots.JOB_KIND)) == 0
