"""An erasure asks for the person's name, waits for a grace period in the queue and can be
cancelled until it runs (issue 15)."""
from datetime import timedelta
from html import unescape

import pytest
import sqlalchemy as sa

from skillmap.extensions import db
from skillmap.models import AuditEvent, ErasureRequest, Person
from skillmap.models.base import utcnow
from skillmap.queue import erasures_due
from skillmap.services import erasures, privacy
from tests.conftest import run_jobs


@pytest.fixture
def request_(users):
    anna = users["employee"].person
    return privacy.request_erasure(anna, actor=users["employee"])


def _confirm(post_form, req, name):
    return post_form(f"/admin/erasures/{req.id}", {f"e{req.id}-name": name},
                     page="/admin/erasures")


def _run_queue():
    erasures_due()   # the periodic task, as the consumer's scheduler sends it
    return run_jobs()


@pytest.mark.parametrize("typed", ["", "Anna", "Rossi", "Dario Neri", "Anna Rossa"])
def test_erasure_is_not_confirmed_without_the_persons_name(client, auth, users, request_,
                                                           post_form, typed):
    auth.login("admin")
    resp = _confirm(post_form, request_, typed)
    html = unescape(resp.get_data(as_text=True))
    assert resp.status_code == 200 and 'aria-invalid="true"' in html
    assert ("Scrivi il nome e il cognome" in html if not typed
            else "non è il nome della persona" in html)
    assert db.session.get(ErasureRequest, request_.id).erase_after is None
    _run_queue()
    assert db.session.get(Person, users["employee"].person_id) is not None


def test_confirmed_erasure_waits_then_runs_in_the_queue(app, client, auth, users, request_,
                                                        post_form):
    anna_id = users["employee"].person_id
    auth.login("admin")
    before = utcnow()
    resp = _confirm(post_form, request_, "rossi anna")  # case and order do not matter
    assert resp.status_code == 302
    req = db.session.get(ErasureRequest, request_.id)
    assert req.status == "pending" and req.confirmed_by_id == users["admin"].id
    when = req.erase_after if req.erase_after.tzinfo else req.erase_after.replace(
        tzinfo=before.tzinfo)
    assert timedelta(hours=23, minutes=59) < when - before < timedelta(hours=24, minutes=1)
    html = unescape(client.get("/admin/erasures").get_data(as_text=True))
    assert "Cancellazione prevista il" in html and "Annulla la cancellazione" in html
    _run_queue()  # the grace period is not over: nothing happens
    assert db.session.get(Person, anna_id) is not None
    assert erasures.erase_due(now=utcnow() + timedelta(hours=23)) == 0
    # a day later the queue's task carries it out
    req.erase_after = utcnow() - timedelta(seconds=1)
    db.session.commit()
    _run_queue()
    assert db.session.get(Person, anna_id) is None
    assert db.session.get(ErasureRequest, request_.id).status == "done"
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"erasure.confirmed", "person.erased"} <= actions


def test_grace_period_comes_from_configuration(app, client, auth, users, request_, post_form):
    app.config["ERASURE_GRACE_HOURS"] = 2
    auth.login("admin")
    before = utcnow()
    _confirm(post_form, request_, "Anna Rossi")
    after = db.session.get(ErasureRequest, request_.id).erase_after
    after = after if after.tzinfo else after.replace(tzinfo=before.tzinfo)
    assert timedelta(hours=1, minutes=59) < after - before < timedelta(hours=2, minutes=1)


def test_a_cancelled_erasure_never_runs(client, auth, users, request_, post_form):
    anna_id = users["employee"].person_id
    auth.login("admin")
    _confirm(post_form, request_, "Anna Rossi")
    resp = post_form(f"/admin/erasures/{request_.id}/cancel", {}, page="/admin/erasures")
    assert resp.status_code == 302
    req = db.session.get(ErasureRequest, request_.id)
    assert req.erase_after is None and req.status == "pending"
    assert "erasure.cancelled" in set(db.session.scalars(sa.select(AuditEvent.action)))
    assert erasures.erase_due(now=utcnow() + timedelta(days=30)) == 0
    assert db.session.get(Person, anna_id) is not None
    html = unescape(client.get("/admin/erasures").get_data(as_text=True))
    assert f'name="e{request_.id}-name"' in html  # waiting again: it can be confirmed later


def test_cancel_after_the_erasure_ran_says_too_late(client, auth, users, request_, post_form):
    auth.login("admin")
    _confirm(post_form, request_, "Anna Rossi")
    token_page = "/admin/erasures"
    from tests.conftest import csrf_token

    token = csrf_token(client, token_page)
    assert erasures.erase_due(now=utcnow() + timedelta(days=2)) == 1
    resp = client.post(f"/admin/erasures/{request_.id}/cancel", data={"csrf_token": token},
                       follow_redirects=True)
    assert "Troppo tardi per annullare" in unescape(resp.get_data(as_text=True))


def test_the_erasure_loses_to_a_cancel_committed_first(app, users, request_, monkeypatch):
    """The task listed the request as due, then a cancel committed before the task claimed
    the row: the claim matches no row and nothing is erased."""
    admin = users["admin"]
    erasures.confirm(request_, "Anna Rossi", actor=admin)
    db.session.commit()
    req_id = request_.id
    erasures.cancel(db.session.get(ErasureRequest, req_id), actor=admin)
    db.session.commit()
    monkeypatch.setattr(erasures, "_due_ids", lambda now: [req_id])  # listed before the cancel
    assert erasures.erase_due(now=utcnow() + timedelta(days=2)) == 0
    assert db.session.get(Person, users["employee"].person_id) is not None


def test_an_admin_cannot_confirm_the_erasure_of_their_own_profile(client, auth, users,
                                                                  post_form):
    req = privacy.request_erasure(users["admin"].person, actor=users["admin"])
    auth.login("admin")
    resp = _confirm(post_form, req, "Dario Neri")
    assert resp.status_code == 302
    assert db.session.get(ErasureRequest, req.id).erase_after is None


def test_only_admins_confirm_or_cancel(client, auth, users, request_, post_form):
    auth.login("manager")
    for path in (f"/admin/erasures/{request_.id}", f"/admin/erasures/{request_.id}/cancel"):
        assert post_form(path, {f"e{request_.id}-name": "Anna Rossi"},
                         page="/").status_code == 403
    assert db.session.get(ErasureRequest, request_.id).erase_after is None
