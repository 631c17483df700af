"""Signing in and out, CSRF, passwords, language and cookies."""
import pytest
import sqlalchemy as sa

from skillmap.extensions import db
from skillmap.models import AuditEvent, User
from tests.conftest import PASSWORD, csrf_token


def test_login_with_real_csrf_token_reaches_home(client, auth, users):
    resp = auth.login("employee")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/")
    page = client.get("/").get_data(as_text=True)
    assert "Anna" in page


def test_post_without_csrf_token_is_refused(client, users):
    resp = client.post("/login", data={"email": "employee@test.coop", "password": PASSWORD})
    assert resp.status_code == 400
    assert "non è stato salvato nulla" in resp.get_data(as_text=True)  # the plain 400 page
    with client.session_transaction() as sess:
        assert "_user_id" not in sess


@pytest.mark.parametrize("email,password", [
    ("employee@test.coop", "wrong password"), ("nobody@test.coop", PASSWORD), ("", ""),
])
def test_bad_credentials_are_refused_in_italian(client, auth, users, email, password):
    resp = auth.login(email or "x@y.z", password) if email else client.post(
        "/login", data={"email": "", "password": "", "csrf_token": csrf_token(client, "/login")})
    assert resp.status_code == 200
    text = resp.get_data(as_text=True)
    assert ("non riconosciute" in text) or ("Inserisci" in text)
    with client.session_transaction() as sess:
        assert "_user_id" not in sess


def test_disabled_account_cannot_sign_in(client, auth, users):
    users["employee"].active = False
    db.session.commit()
    resp = auth.login("employee")
    assert resp.status_code == 200
    with client.session_transaction() as sess:
        assert "_user_id" not in sess


def test_passwords_are_hashed(users):
    stored = db.session.scalar(sa.select(User.password_hash).where(User.email == "employee@test.coop"))
    assert PASSWORD not in stored and stored.startswith(("scrypt:", "pbkdf2:"))


def test_first_login_shows_privacy_notice(client, auth, users):
    resp = auth.login("employee", privacy_seen=False)
    assert "/privacy" in resp.headers["Location"]
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Informativa sulla privacy" in page
    token = csrf_token(client, "/privacy")
    client.post("/privacy", data={"csrf_token": token})
    assert db.session.get(User, users["employee"].id).privacy_seen_at is not None


def test_logout_needs_post_and_ends_the_session(client, auth, users):
    auth.login("employee")
    assert client.get("/logout").status_code == 405
    auth.logout()
    assert client.get("/").status_code == 302


def test_change_password(client, auth, users, post_form):
    auth.login("employee")
    resp = post_form("/account", {"current": PASSWORD, "new": "a brand new secret",
                                  "confirm": "a brand new secret"})
    assert resp.status_code == 302
    user = db.session.get(User, users["employee"].id)
    assert user.check_password("a brand new secret")
    assert db.session.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == "account.password_changed")) is not None


@pytest.mark.parametrize("data,message", [
    ({"current": "wrong", "new": "a brand new secret", "confirm": "a brand new secret"},
     "La password attuale non è corretta."),
    ({"current": PASSWORD, "new": "short", "confirm": "short"}, "Usa almeno 12 caratteri."),
    ({"current": PASSWORD, "new": "a brand new secret", "confirm": "another secret!!"},
     "Le due password non coincidono."),
])
def test_change_password_bad_input(client, auth, users, post_form, data, message):
    auth.login("employee")
    resp = post_form("/account", data)
    assert resp.status_code == 200
    assert message in resp.get_data(as_text=True)
    assert db.session.get(User, users["employee"].id).check_password(PASSWORD)


def test_language_from_login_page_and_per_user(client, auth, users, post_form):
    assert 'lang="it"' in client.get("/login").get_data(as_text=True)
    page = client.get("/login?lang=en").get_data(as_text=True)
    assert 'lang="en"' in page and "Sign in to SkillMap" in page
    auth.login("employee")
    post_form("/language", {"l-lang": "en"}, page="/account")
    assert db.session.get(User, users["employee"].id).locale == "en"
    assert "My skills" in client.get("/").get_data(as_text=True)


def test_open_redirect_is_ignored(client, users):
    token = csrf_token(client, "/login")
    resp = client.post("/login?next=https://evil.example/", data={
        "email": "employee@test.coop", "password": PASSWORD, "csrf_token": token})
    assert "evil" not in resp.headers["Location"]


def test_session_cookie_flags(client, auth, users):
    resp = auth.login("employee")
    cookie = resp.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_secure_cookie_when_https(database_url):
    from skillmap import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "x", "HTTPS": True})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
