"""E-mail through a real SMTP server, invitations and password resets."""
from __future__ import annotations

import re
import time
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from skillmap.extensions import db
from skillmap.models import AccountToken, OutboxMessage, Person, User
from skillmap.models.base import utcnow
from skillmap.services import invitations
from tests.conftest import CSRF_RE, csrf_token, run_jobs

NEW_PASSWORD = "una frase lunga e facile"


@pytest.fixture
def giulia(org, users):
    p = Person(organisation_id=org.id, first_name="Giulia", last_name="Galli",
               email="giulia@test.coop")
    db.session.add(p)
    db.session.commit()
    return p


def _invite(post_form, person, role="employee"):
    return post_form(f"/admin/people/{person.id}/invite", {"inv-role": role},
                     page=f"/admin/people/{person.id}")


def _path(link: str) -> str:
    return urlsplit(link).path


def test_invitation_arrives_by_smtp_in_italian_text_and_html(client, auth, giulia, post_form,
                                                             smtp):
    auth.login("admin")
    resp = _invite(post_form, giulia)
    assert resp.status_code == 302
    assert smtp.messages == []          # sent by the queue, after the commit
    run_jobs()
    [msg] = smtp.to("giulia@test.coop")
    assert "Cooperativa Demo" in msg["Subject"]
    text, html = smtp.text(msg), smtp.html(msg)
    assert "Ciao Giulia" in text and "72 ore" in text
    assert "Scegli la tua password" in html
    link = smtp.link(msg)
    assert link.startswith("http://skillmap.test/password/set/")
    row = db.session.scalar(sa.select(OutboxMessage))
    assert (row.state, row.kind, row.attempts) == ("sent", "invite", 1)
    # the token is never stored, only its hash
    token = link.rsplit("/", 1)[1]
    assert db.session.scalar(sa.select(AccountToken.token_hash)) != token
    assert token not in (row.subject + row.error)


def test_invitee_sets_a_password_and_lands_on_profile_after_privacy(client, auth, giulia,
                                                                     post_form, smtp):
    auth.login("admin")
    _invite(post_form, giulia)
    run_jobs()
    auth.logout()
    path = _path(smtp.link(smtp.to("giulia@test.coop")[0]))
    resp = post_form(path, {"new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert resp.status_code == 302 and "/privacy" in resp.headers["Location"]
    privacy = client.get(resp.headers["Location"])
    assert "Informativa" in privacy.get_data(as_text=True)
    resp = client.post("/privacy", data={"csrf_token": csrf_token(client, "/privacy?first=1"),
                                         "next": "/profile"})
    assert resp.headers["Location"].endswith("/profile")
    assert client.get("/profile").status_code == 200
    user = db.session.scalar(sa.select(User).where(User.email == "giulia@test.coop"))
    assert user.check_password(NEW_PASSWORD) and user.invited_at is None
    # the link dies after use
    auth.logout()
    assert client.get(path).status_code == 410


@pytest.mark.parametrize("password, confirm, message", [
    ("corta", "corta", "Usa almeno 12 caratteri."),
    ("password1234", "password1234", "troppo comune"),
    (NEW_PASSWORD, "un'altra frase lunga", "Le due password non coincidono."),
])
def test_weak_or_mismatched_password_is_refused(client, auth, giulia, post_form, smtp,
                                                password, confirm, message):
    auth.login("admin")
    _invite(post_form, giulia)
    run_jobs()
    auth.logout()
    path = _path(smtp.link(smtp.to("giulia@test.coop")[0]))
    resp = post_form(path, {"new": password, "confirm": confirm})
    assert resp.status_code == 200 and message in resp.get_data(as_text=True)
    assert not db.session.scalar(sa.select(User).where(User.email == "giulia@test.coop")).has_password


def test_a_newer_link_kills_the_older_one_and_links_expire(client, auth, giulia, post_form,
                                                           smtp, app):
    auth.login("admin")
    _invite(post_form, giulia)
    user = db.session.scalar(sa.select(User).where(User.email == "giulia@test.coop"))
    post_form(f"/admin/users/{user.id}/reset", {}, page=f"/admin/users/{user.id}")
    run_jobs()
    first, second = [_path(smtp.link(m)) for m in smtp.to("giulia@test.coop")]
    auth.logout()
    assert client.get(first).status_code == 410
    assert client.get(second).status_code == 200
    # 72 hours later the newest link is dead too
    db.session.execute(sa.update(AccountToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    resp = client.get(second)
    assert resp.status_code == 410 and "non funziona più" in resp.get_data(as_text=True)


@pytest.mark.parametrize("token", ["x", "a" * 300, "../../etc"])
def test_made_up_links_are_refused(client, users, token):
    assert client.get(f"/password/set/{token}").status_code in (404, 410)


def test_forgot_password_same_answer_whatever_the_address(client, users, post_form, smtp):
    answers, times = [], []
    for email in ("employee@test.coop", "nessuno@test.coop"):
        start = time.perf_counter()
        resp = post_form("/password/forgot", {"email": email}, follow_redirects=True)
        times.append(time.perf_counter() - start)
        page = re.sub(r"Se \S+ appartiene", "Se X appartiene", resp.get_data(as_text=True))
        # the CSRF token carries the second it was signed: two requests may straddle one
        answers.append(CSRF_RE.sub('name="csrf_token" value="X"', page))
    assert answers[0] == answers[1] and "Se X appartiene a un account" in answers[0]
    # the look-up happens in the queue: the request does the same work for both
    assert abs(times[0] - times[1]) < 0.5
    assert smtp.messages == []
    run_jobs()
    [msg] = smtp.messages
    assert msg["To"] == "employee@test.coop"
    path = _path(smtp.link(msg))
    resp = post_form(path, {"new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert resp.status_code == 302
    assert db.session.scalar(sa.select(User).where(
        User.email == "employee@test.coop")).check_password(NEW_PASSWORD)


def test_reset_link_uses_base_url_not_the_host_header(client, users, post_form, smtp):
    page = client.get("/password/forgot", base_url="http://evil.example")
    token = CSRF_RE.search(page.get_data(as_text=True)).group(1)
    resp = client.post("/password/forgot", base_url="http://evil.example",
                       data={"email": "employee@test.coop", "csrf_token": token})
    assert resp.status_code == 302
    run_jobs()
    assert smtp.link(smtp.messages[0]).startswith("http://skillmap.test/")


def test_english_user_gets_english_mail(client, users, smtp, post_form):
    user = users["employee"]
    user.locale = "en"
    db.session.commit()
    post_form("/password/forgot", {"email": "employee@test.coop"})
    run_jobs()
    [msg] = smtp.messages
    assert msg["Subject"] == "Choose a new SkillMap password"
    assert "Hello Anna" in smtp.text(msg)


def test_failed_mail_is_retried_then_shown_to_admins(client, auth, giulia, post_form, smtp):
    smtp.refuse.add("giulia@test.coop")
    auth.login("admin")
    _invite(post_form, giulia)
    run_jobs()
    row = db.session.scalar(sa.select(OutboxMessage))
    from skillmap.queue import MAIL_RETRIES

    assert row.state == "failed" and row.attempts == MAIL_RETRIES + 1
    assert "550" in row.error
    home = client.get("/").get_data(as_text=True)
    assert "E-mail non inviate: 1" in home and "giulia@test.coop" in home


def test_without_mail_server_messages_go_to_outbox_folder(app, users, tmp_path, capsys):
    app.config["MAIL_SERVER"] = None
    app.config["MAIL_OUTBOX_DIR"] = str(tmp_path / "outbox")
    invitations.send_reset(users["employee"], actor=None)
    db.session.commit()  # the e-mail leaves after the commit
    run_jobs()
    [eml] = list((tmp_path / "outbox").glob("*.eml"))
    body = eml.read_text()
    assert "employee@test.coop" in body
    printed = capsys.readouterr().out
    assert "http://skillmap.test/password/set/" in printed


def test_admin_home_lists_people_without_account_and_old_invitations(client, auth, giulia,
                                                                     post_form):
    auth.login("admin")
    assert "Persone senza account: 1" in client.get("/").get_data(as_text=True)
    _invite(post_form, giulia)
    run_jobs()
    db.session.execute(sa.update(User).where(User.email == "giulia@test.coop")
                       .values(invited_at=utcnow() - timedelta(days=8)))
    db.session.commit()
    home = client.get("/").get_data(as_text=True)
    assert "Persone senza account: 0" in home
    assert "Inviti non accettati dopo 7 giorni: 1" in home and "Giulia Galli" in home


def test_bulk_invitation_job_invites_everyone_with_an_email(client, auth, org, users, post_form,
                                                            smtp):
    for i in range(3):
        db.session.add(Person(organisation_id=org.id, first_name=f"P{i}", last_name="X",
                              email=f"p{i}@test.coop"))
    db.session.add(Person(organisation_id=org.id, first_name="Senza", last_name="Mail"))
    db.session.commit()
    auth.login("admin")
    post_form("/admin/people/invite-all", {}, page="/admin/people")
    run_jobs()
    assert sorted(m["To"] for m in smtp.messages) == ["p0@test.coop", "p1@test.coop",
                                                      "p2@test.coop"]
    page = client.get("/admin/people?state=no_account").get_data(as_text=True)
    assert "3 inviti inviati; 1 persone senza e-mail" in page


def test_create_person_with_invitation_at_once(client, auth, users, post_form, smtp):
    auth.login("admin")
    post_form("/admin/people/new", {"first_name": "Ugo", "last_name": "Neri",
                                    "email": "ugo@test.coop", "unit_id": "", "job_title": "",
                                    "work_relationship": "volontario", "invite": "y",
                                    "role": "coordinator"})
    run_jobs()
    assert smtp.to("ugo@test.coop")
    user = db.session.scalar(sa.select(User).where(User.email == "ugo@test.coop"))
    assert user.role == "coordinator" and user.person.last_name == "Neri"


def test_invited_account_cannot_sign_in_before_choosing_a_password(client, auth, giulia,
                                                                   post_form):
    auth.login("admin")
    _invite(post_form, giulia)
    auth.logout()
    resp = auth.login("giulia@test.coop", password="!")
    assert "non riconosciute" in client.get("/login").get_data(as_text=True) or \
        resp.status_code == 200
    assert client.get("/").status_code == 302
