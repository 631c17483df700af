"""Sessions the server can end (issue 12): a cookie copied before a revoking event is refused.

Each test copies the employee's session cookie, checks that the copy opens /profile, then
carries out the event and replays the copy from another browser: it must land on the
sign-in page.
"""
from __future__ import annotations

import pytest

from skillmap.extensions import db
from skillmap.models import ErasureRequest, User
from skillmap.services import privacy
from skillmap.web import sessions
from tests.conftest import PASSWORD, AuthActions, csrf_token


def _copy_cookie(client) -> str:
    return client.get_cookie("session").value


def _replay(app, cookie: str, path: str = "/profile"):
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other.get(path)


def _signed_in(resp) -> bool:
    return resp.status_code == 200


def _refused(resp) -> bool:
    return resp.status_code == 302 and "/login" in resp.headers["Location"]


def _admin_client(app):
    admin = app.test_client()
    AuthActions(admin).login("admin")
    return admin


def _logout(app, client, users):
    AuthActions(client).logout()


def _change_password(app, client, users):
    token = csrf_token(client, "/account")
    resp = client.post("/account", data={"current": PASSWORD, "new": "un orto pieno di zucche",
                                         "confirm": "un orto pieno di zucche",
                                         "csrf_token": token})
    assert resp.status_code == 302
    assert client.get("/profile").status_code == 200  # this browser stays signed in


def _deactivate_and_reactivate(app, client, users):
    admin = _admin_client(app)
    uid = users["employee"].id
    for _ in range(2):
        token = csrf_token(admin, "/admin/users")
        assert admin.post(f"/admin/users/{uid}/active",
                          data={"csrf_token": token}).status_code == 302
    assert db.session.get(User, uid).active


def _change_role(app, client, users):
    admin = _admin_client(app)
    token = csrf_token(admin, "/admin/users")
    admin.post(f"/admin/users/{users['employee'].id}/role",
               data={"role": "coordinator", "csrf_token": token})
    assert db.session.get(User, users["employee"].id).role == "coordinator"


def _erase(app, client, users):
    anna = users["employee"]
    req = privacy.request_erasure(anna.person, actor=anna)
    privacy.carry_out_erasure(db.session.get(ErasureRequest, req.id),
                              actor=db.session.get(User, users["admin"].id))


@pytest.mark.parametrize("event", [_logout, _change_password, _deactivate_and_reactivate,
                                   _change_role, _erase],
                         ids=lambda f: f.__name__.strip("_"))
def test_cookie_copied_before_a_revoking_event_is_refused(app, client, auth, users, event):
    auth.login("employee")
    cookie = _copy_cookie(client)
    assert _signed_in(_replay(app, cookie))
    assert _signed_in(_replay(app, cookie, "/profile/data.json"))
    event(app, client, users)
    assert _refused(_replay(app, cookie))
    assert _refused(_replay(app, cookie, "/profile/data.json"))


def test_logout_ends_the_sessions_on_other_devices_too(app, client, auth, users):
    auth.login("employee")
    phone = app.test_client()
    AuthActions(phone).login("employee")
    auth.logout()
    assert _refused(phone.get("/profile"))


def test_another_users_events_leave_a_session_alone(app, client, auth, users):
    auth.login("employee")
    cookie = _copy_cookie(client)
    admin = _admin_client(app)
    token = csrf_token(admin, "/admin/users")
    admin.post(f"/admin/users/{users['manager'].id}/role",
               data={"role": "coordinator", "csrf_token": token})
    assert _signed_in(_replay(app, cookie))


@pytest.mark.parametrize("hours,minutes,ok", [
    (0, 119, True),      # used within the idle limit
    (0, 121, False),     # idle for more than 2 hours
])
def test_idle_timeout(app, client, auth, users, monkeypatch, hours, minutes, ok):
    import time

    start = time.time()
    monkeypatch.setattr(sessions, "now", lambda: start)
    auth.login("employee")
    monkeypatch.setattr(sessions, "now", lambda: start + hours * 3600 + minutes * 60)
    resp = client.get("/profile")
    assert _signed_in(resp) if ok else _refused(resp)
    if not ok:
        assert "La sessione è scaduta" in client.get("/login").get_data(as_text=True)


def test_absolute_lifetime_even_when_used_all_the_time(app, client, auth, users, monkeypatch):
    import time

    start = time.time()
    monkeypatch.setattr(sessions, "now", lambda: start)
    auth.login("employee")
    for hour in range(1, 12):  # a request every hour keeps the idle clock fresh...
        monkeypatch.setattr(sessions, "now", lambda h=hour: start + h * 3600)
        assert _signed_in(client.get("/profile")), hour
    monkeypatch.setattr(sessions, "now", lambda: start + 12 * 3600 + 60)
    assert _refused(client.get("/profile"))  # ...but not past 12 hours


def test_limits_are_configurable(app, client, auth, users, monkeypatch):
    import time

    from skillmap.config import from_environment

    assert from_environment({"SKILLMAP_SESSION_HOURS": "8", "SKILLMAP_IDLE_MINUTES": "30"}) == {
        "SESSION_HOURS": 8.0, "IDLE_MINUTES": 30.0}
    app.config["IDLE_MINUTES"] = 30
    start = time.time()
    monkeypatch.setattr(sessions, "now", lambda: start)
    auth.login("employee")
    monkeypatch.setattr(sessions, "now", lambda: start + 31 * 60)
    assert _refused(client.get("/profile"))


def test_csrf_token_is_rotated_at_login(app, client, auth, users):
    before_page = csrf_token(client, "/login")
    with client.session_transaction() as sess:
        before = sess["csrf_token"]
    auth.login("employee")
    csrf_token(client, "/account")
    with client.session_transaction() as sess:
        assert sess["csrf_token"] != before
    # a form token handed out before signing in no longer works
    resp = client.post("/language", data={"l-lang": "en", "csrf_token": before_page})
    assert resp.status_code == 400
    assert db.session.get(User, users["employee"].id).locale == "it"


def test_a_cookie_with_an_old_style_id_loads_nobody(app, client, auth, users):
    auth.login("employee")
    with client.session_transaction() as sess:
        sess["_user_id"] = str(users["employee"].id)  # no version: issued before the upgrade
    assert _refused(client.get("/profile"))


def test_no_user_is_loaded_from_a_malformed_id(app, users):
    for bad in ("", "x:0", "1:x", "9" * 40 + ":0", f"{users['employee'].id}:7"):
        assert sessions.load_user(bad) is None
    assert sessions.load_user(f"{users['employee'].id}:0").id == users["employee"].id
