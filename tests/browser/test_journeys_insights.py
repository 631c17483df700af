"""A manager recomputes the skills engine and reads the families; an employee sees suggestions."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, login

pytestmark = pytest.mark.browser


def test_manager_recomputes_and_reads_the_skill_families(page, live_app):
    from skillmap import queue

    queue.init_app(live_app)  # the served app's jobs, in this process's memory queue
    with live_app.app_context():  # the run queued after the demo was loaded, sent again
        from skillmap.services import jobs

        live_app.config["JOB_RESEND_AFTER"] = 0
        jobs.reap()
        live_app.config["JOB_RESEND_AFTER"] = 600
    queue.drain()
    login(page, "manager")
    page.get_by_role("link", name="Famiglie di competenze").click()
    page.get_by_role("button", name="Ricalcola ora").click()
    page.wait_for_url(re.compile(r"/insights/recompute$"))
    expect(page.get_by_role("status").filter(has_text="In attesa")).to_be_visible()
    assert queue.drain() >= 1  # what the queue's consumer does
    status = page.get_by_role("status").filter(has_text="Ricalcolo")
    status.filter(has_text="terminato").wait_for(timeout=60000)
    assert_accessible(page)
    page.get_by_role("link", name="Vedi le famiglie di competenze").click()
    page.wait_for_url(re.compile(r"/insights/families$"))
    expect(page.get_by_text("Aggiornato")).to_be_visible()
    network = page.get_by_role("img", name=re.compile(r"Rete di \d+ competenze in \d+ famiglie"))
    expect(network).to_be_visible()
    table = page.locator("#families-table")
    assert table.locator("tbody tr").count() >= 3
    assert "Famiglia 1" in table.inner_text()
    assert_accessible(page)


def test_employee_profile_suggests_what_to_grow_next(page):
    login(page, "employee")
    page.goto("/profile")
    panel = page.locator("#grow-next")
    expect(panel.get_by_role("heading", name="Competenze che potresti sviluppare")).to_be_visible()
    assert re.search(r"Chi ha .+ spesso ha anche .+\.", panel.inner_text())
    assert_accessible(page)


def test_manager_sees_who_could_back_up_a_person(page, live_app):
    import sqlalchemy as sa

    from skillmap.extensions import db
    from skillmap.models import User

    with live_app.app_context():
        person_id = db.session.scalar(sa.select(User.person_id).where(
            User.email == "dipendente@demo.coop"))
    login(page, "manager")
    page.goto(f"/people/{person_id}")
    table = page.locator("#backups table")
    assert table.locator("tbody tr").count() >= 1
    assert_accessible(page)
