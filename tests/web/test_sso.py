"""Single sign-on against a real OpenID Connect provider running in this test session."""
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from skillmap import clock
from skillmap.extensions import db
from skillmap.models import AuditEvent, LoginAttempt, Person, User
from tests.conftest import csrf_token
from tests.oidc import path_of, running_provider

CALLBACK = "http://localhost/login/sso/callback"


@pytest.fixture(scope="module")
def provider():
    with running_provider() as p:
        p.client = p.register_client(CALLBACK)
        yield p


@pytest.fixture
def app_config(provider, request):
    client_id, secret = provider.client
    extra = getattr(request, "param", {})
    return {"OIDC_ISSUER": provider.issuer, "OIDC_CLIENT_ID": client_id,
            "OIDC_CLIENT_SECRET": secret, "OIDC_PROVIDER_NAME": "Cooperativa ID", **extra}


def start(client, next_url=None):
    token = csrf_token(client, "/login")
    path = "/login/sso" + (f"?next={next_url}" if next_url else "")
    return client.post(path, data={"csrf_token": token})


def sso_login(client, provider, sub, next_url=None):
    resp = start(client, next_url)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:300]
    back = provider.authorize(resp.headers["Location"], sub)
    assert back.startswith(CALLBACK)
    return client.get(path_of(back))


def signed_in_email(client):
    with client.session_transaction() as sess:
        uid = sess.get("_user_id")
    if uid is None:
        return None
    return db.session.get(User, int(uid.split(":")[0])).email


def flashes(client):
    with client.session_transaction() as sess:
        return " ".join(m for _c, m in sess.get("_flashes", []))


def test_the_login_page_offers_the_provider(client, users):
    page = client.get("/login").get_data(as_text=True)
    assert "Accedi con Cooperativa ID" in page
    assert 'action="/login/sso"' in page


def test_no_button_without_configuration(app, client, users, app_config):
    from skillmap import create_app, queue

    saved = (queue.huey.storage, queue.huey.flask_app)
    bare = create_app({**{k: v for k, v in app.config.items() if not k.startswith("OIDC_")},
                       "TESTING": True})
    queue.huey.storage, queue.huey.flask_app = saved
    page = bare.test_client().get("/login").get_data(as_text=True)
    assert "Accedi con" not in page
    assert client.get("/login").status_code == 200


def test_verified_email_of_an_account_signs_in_on_a_new_session(client, provider, users):
    users["employee"].privacy_seen_at = sa.func.now()
    db.session.commit()
    provider.set_user("anna-1", email="Employee@test.coop", email_verified=True)
    csrf_token(client, "/login")
    with client.session_transaction() as sess:
        before = sess["csrf_token"]
    resp = start(client)
    location = resp.headers["Location"]
    query = parse_qs(urlsplit(location).query)
    assert location.startswith(provider.issuer + "/oauth2/authorize")
    assert query["nonce"] and query["state"] and query["scope"] == ["openid email profile"]
    back = provider.authorize(location, "anna-1")
    resp = client.get(path_of(back))
    assert resp.status_code == 302 and resp.headers["Location"] == "/"
    assert signed_in_email(client) == "employee@test.coop"
    with client.session_transaction() as sess:
        assert not any(k.startswith("_state_") for k in sess)  # state used once, gone
        assert sess.get("sso") is True
        assert sess.get("csrf_token") != before  # a new session: the old CSRF token is gone
    user = db.session.get(User, users["employee"].id)
    assert user.oidc_subject == "anna-1" and user.last_login_at is not None
    assert db.session.scalar(sa.select(LoginAttempt.outcome).where(
        LoginAttempt.email == "employee@test.coop")) == "ok"
    # the state cannot be replayed: the same callback again is refused
    other = client.application.test_client()
    assert other.get(path_of(back)).status_code == 302
    assert signed_in_email(other) is None


def test_next_page_is_kept_through_the_provider(client, provider, users):
    users["employee"].privacy_seen_at = sa.func.now()
    db.session.commit()
    provider.set_user("anna-2", email="employee@test.coop", email_verified=True)
    resp = sso_login(client, provider, "anna-2", next_url="/me")
    assert resp.headers["Location"] == "/me"


def test_a_person_without_account_gets_an_employee_account(client, provider, org):
    person = Person(organisation_id=org.id, first_name="Elena", last_name="Galli",
                    email="elena.galli@test.coop")
    db.session.add(person)
    db.session.commit()
    provider.set_user("elena", email="elena.galli@test.coop", email_verified=True)
    resp = sso_login(client, provider, "elena")
    assert resp.status_code == 302 and "/privacy" in resp.headers["Location"]
    user = db.session.scalar(sa.select(User).where(User.email == "elena.galli@test.coop"))
    assert user.role == "employee" and user.person_id == person.id
    assert not user.has_password and user.oidc_subject == "elena"
    assert signed_in_email(client) == "elena.galli@test.coop"
    assert db.session.scalar(sa.select(AuditEvent.detail).where(
        AuditEvent.action == "account.created")).endswith("by single sign-on")


@pytest.mark.parametrize("app_config", [{"OIDC_CREATE_ACCOUNTS": False}], indirect=True)
def test_account_creation_can_be_turned_off(client, provider, org):
    db.session.add(Person(organisation_id=org.id, first_name="Elena", last_name="Galli",
                          email="elena2@test.coop"))
    db.session.commit()
    provider.set_user("elena2", email="elena2@test.coop", email_verified=True)
    sso_login(client, provider, "elena2")
    assert signed_in_email(client) is None
    assert "nessun account" in flashes(client).lower()
    assert db.session.scalar(sa.select(User).where(User.email == "elena2@test.coop")) is None


@pytest.mark.parametrize("claims,words", [
    ({"email": "employee@test.coop", "email_verified": False}, "non ha verificato"),
    ({"email": "employee@test.coop"}, "non ha verificato"),
    ({"email": "employee@test.coop", "email_verified": "true"}, "non ha verificato"),
    ({"email": "nobody@elsewhere.org", "email_verified": True}, "non è in SkillMap"),
    ({"email_verified": True}, "indirizzo e-mail"),
])
def test_refused_claims(client, provider, users, claims, words):
    provider.set_user("someone", **claims)
    resp = sso_login(client, provider, "someone")
    assert resp.status_code == 302 and resp.headers["Location"] == "/login"
    assert signed_in_email(client) is None
    assert words in flashes(client)
    assert db.session.scalar(sa.select(LoginAttempt.outcome)) == "failed"
    assert db.session.get(User, users["employee"].id).oidc_subject is None


def test_a_disabled_account_is_refused(client, provider, users):
    users["employee"].active = False
    db.session.commit()
    provider.set_user("anna-3", email="employee@test.coop", email_verified=True)
    sso_login(client, provider, "anna-3")
    assert signed_in_email(client) is None
    assert "disattivato" in flashes(client)


def test_a_person_whose_work_ended_is_refused(client, provider, users):
    from datetime import timedelta

    users["employee"].person.end_date = clock.today() - timedelta(days=3)
    db.session.commit()
    provider.set_user("anna-4", email="employee@test.coop", email_verified=True)
    sso_login(client, provider, "anna-4")
    assert signed_in_email(client) is None


def test_another_subject_with_the_same_email_is_refused(client, provider, users):
    users["employee"].oidc_subject = "the-first-anna"
    db.session.commit()
    provider.set_user("new-owner", email="employee@test.coop", email_verified=True)
    sso_login(client, provider, "new-owner")
    assert signed_in_email(client) is None
    assert "un altro account" in flashes(client)


def test_a_forged_state_is_refused(client, provider, users):
    provider.set_user("anna-5", email="employee@test.coop", email_verified=True)
    resp = start(client)
    back = provider.authorize(resp.headers["Location"], "anna-5")
    parts = urlsplit(back)
    query = parse_qs(parts.query)
    forged = f"{parts.path}?code={query['code'][0]}&state=forged"
    assert client.get(forged).status_code == 302
    assert signed_in_email(client) is None
    assert "non ha funzionato" in flashes(client)


def test_a_cancelled_sign_in_says_so(client, users):
    start(client)
    client.get("/login/sso/callback?error=access_denied&state=x")
    assert "annullato" in flashes(client)


def test_a_wrong_issuer_is_refused_before_leaving(app, users):
    with running_provider(prefix="/tenant") as wrong:
        app.config["OIDC_ISSUER"] = wrong.base  # discovery there names another issuer
        client_id, secret = wrong.register_client(CALLBACK)
        app.extensions["skillmap_oidc"]._clients.clear()
        from skillmap.web.auth import sso as sso_web

        app.config.update(OIDC_CLIENT_ID=client_id, OIDC_CLIENT_SECRET=secret)
        sso_web.init_app(app)
        client = app.test_client()
        resp = start(client)
        assert resp.status_code == 302 and resp.headers["Location"] == "/login"
        assert "non è configurato correttamente" in flashes(client)
        assert signed_in_email(client) is None


def test_an_unreachable_provider_is_explained(app, users):
    from skillmap.web.auth import sso as sso_web

    app.config["OIDC_ISSUER"] = "http://localhost:9"  # nothing listens there
    sso_web.init_app(app)
    client = app.test_client()
    resp = start(client)
    assert resp.headers["Location"] == "/login"
    assert "non ha risposto correttamente" in flashes(client)


def test_password_login_is_refused_for_an_sso_only_account(client, auth, users):
    users["employee"].sso_only = True
    db.session.commit()
    resp = auth.login("employee")
    assert resp.status_code == 403
    text = resp.get_data(as_text=True)
    assert "solo con Cooperativa ID" in text and "Accedi con Cooperativa ID" in text
    assert signed_in_email(client) is None
    # the other accounts still use their passwords
    assert auth.login("manager").status_code == 302


@pytest.mark.parametrize("app_config", [{"OIDC_SSO_ONLY": True}], indirect=True)
def test_globally_every_linked_account_is_sso_only(client, auth, provider, users):
    users["employee"].privacy_seen_at = sa.func.now()
    db.session.commit()
    assert auth.login("employee").status_code == 302  # not linked yet: password works
    auth.logout()
    provider.set_user("anna-6", email="employee@test.coop", email_verified=True)
    sso_login(client, provider, "anna-6")
    assert signed_in_email(client) == "employee@test.coop"
    auth.logout()
    assert auth.login("employee").status_code == 403


def test_reset_is_refused_for_an_sso_only_account(client, users, smtp):
    from skillmap.services import invitations

    users["employee"].sso_only = True
    db.session.commit()
    assert invitations.reset_requested("employee@test.coop") is False
    assert invitations.reset_requested("manager@test.coop") is True
    page = client.get("/password/forgot").get_data(as_text=True)
    assert "Accedi con Cooperativa ID" in page


def test_without_configuration_the_flag_does_not_lock_anyone_out(app, client, auth, users):
    users["employee"].sso_only = True
    db.session.commit()
    app.config["OIDC_ISSUER"] = None
    assert auth.login("employee").status_code == 302


def test_logout_ends_the_session_and_the_providers(client, provider, users):
    users["employee"].privacy_seen_at = sa.func.now()
    db.session.commit()
    provider.set_user("anna-7", email="employee@test.coop", email_verified=True)
    sso_login(client, provider, "anna-7")
    with client.session_transaction() as sess:
        old_cookie = dict(sess)
    version = db.session.get(User, users["employee"].id).session_version
    token = csrf_token(client, "/")
    resp = client.post("/logout", data={"csrf_token": token})
    location = resp.headers["Location"]
    assert location.startswith(provider.issuer + "/oauth2/end_session?")
    query = parse_qs(urlsplit(location).query)
    assert query["post_logout_redirect_uri"] == ["http://localhost/login"]
    assert query["client_id"] == [provider.client[0]]
    assert signed_in_email(client) is None
    assert db.session.get(User, users["employee"].id).session_version == version + 1
    # a copy of the old cookie no longer signs anyone in
    thief = client.application.test_client()
    with thief.session_transaction() as sess:
        sess.update(old_cookie)
    assert thief.get("/").status_code == 302


def test_password_sessions_log_out_locally(client, auth, users):
    auth.login("employee")
    resp = auth.logout()
    assert resp.headers["Location"] == "/login"


def test_an_admin_turns_passwords_off_for_one_account(client, auth, post_form, users):
    auth.login("admin")
    uid = users["employee"].id
    page = client.get(f"/admin/users/{uid}").get_data(as_text=True)
    assert "Disattiva la password" in page
    resp = post_form(f"/admin/users/{uid}/sso-only", {}, page=f"/admin/users/{uid}")
    assert resp.status_code == 302
    assert db.session.get(User, uid).sso_only is True
    assert db.session.scalar(sa.select(AuditEvent.action).where(
        AuditEvent.action == "account.passwords_off")) is not None
    auth.logout()
    assert auth.login("employee").status_code == 403


def test_only_admins_turn_passwords_off(client, auth, post_form, users):
    auth.login("manager")
    resp = post_form(f"/admin/users/{users['employee'].id}/sso-only", {}, page="/")
    assert resp.status_code == 403
    assert db.session.get(User, users["employee"].id).sso_only is False


def test_forms_may_lead_to_the_provider_only(client, provider, users):
    """The sign-in form and the sign-out redirect go to the provider: the policy allows its
    origin for forms, and nothing else."""
    csp = client.get("/login").headers["Content-Security-Policy"]
    assert f"form-action 'self' {provider.issuer};" in csp
    assert "script-src 'self';" in csp


def test_an_id_token_without_the_email_is_completed_from_userinfo(app, client, provider, users,
                                                                  monkeypatch):
    """Some providers put the e-mail only in their userinfo answer: it is asked for, with
    the real access token, and used for the same subject."""
    from authlib.integrations.flask_client.apps import FlaskOAuth2App

    real = FlaskOAuth2App.authorize_access_token

    def without_email(self, **kwargs):
        token = real(self, **kwargs)
        for claim in ("email", "email_verified"):
            token["userinfo"].pop(claim, None)
        return token

    monkeypatch.setattr(FlaskOAuth2App, "authorize_access_token", without_email)
    users["employee"].privacy_seen_at = sa.func.now()
    db.session.commit()
    provider.set_user("anna-8", email="employee@test.coop", email_verified=True)
    sso_login(client, provider, "anna-8")
    assert signed_in_email(client) == "employee@test.coop"
