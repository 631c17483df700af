"""Admins manage accounts from the browser."""
import pytest
import sqlalchemy as sa

from skillmap.extensions import db
from skillmap.models import AuditEvent, User


def test_admin_creates_account(client, auth, users, post_form):
    auth.login("admin")
    resp = post_form("/admin/users", {"email": "nuova@test.coop", "role": "coordinator",
                                      "password": "una password lunga"})
    assert resp.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "nuova@test.coop"))
    assert user.role == "coordinator" and user.check_password("una password lunga")


@pytest.mark.parametrize("data,message", [
    ({"email": "non-una-email", "role": "employee", "password": "una password lunga"},
     "Inserisci un indirizzo e-mail valido."),
    ({"email": "employee@test.coop", "role": "employee", "password": "una password lunga"},
     "Esiste già un account con questo indirizzo e-mail."),
    ({"email": "x@test.coop", "role": "employee", "password": "corta"}, "Usa almeno 12 caratteri."),
    ({"email": "x@test.coop", "role": "root", "password": "una password lunga"}, "Non è una opzione valida"),
])
def test_bad_account_input_saves_nothing(client, auth, users, post_form, data, message):
    auth.login("admin")
    before = db.session.scalar(sa.select(sa.func.count(User.id)))
    resp = post_form("/admin/users", data)
    assert resp.status_code == 200
    assert message in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == before


def test_admin_changes_role_and_disables_with_audit(client, auth, users, post_form):
    auth.login("admin")
    target = users["employee"]
    post_form(f"/admin/users/{target.id}/role", {"role": "manager"}, page="/admin/users")
    post_form(f"/admin/users/{target.id}/active", {}, page="/admin/users")
    target = db.session.get(User, target.id)
    assert target.role == "manager" and not target.active
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"account.role_changed", "account.disabled"} <= actions


def test_admin_cannot_lock_themself_out(client, auth, users, post_form):
    auth.login("admin")
    me = users["admin"]
    post_form(f"/admin/users/{me.id}/role", {"role": "employee"}, page="/admin/users")
    post_form(f"/admin/users/{me.id}/active", {}, page="/admin/users")
    me = db.session.get(User, me.id)
    assert me.role == "admin" and me.active
