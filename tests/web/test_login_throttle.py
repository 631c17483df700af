"""Sign-in throttling (issue 12): per account and per address, back-off then lock,
counted in the database that every worker shares; unknown e-mails cost a hash too."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from skillmap.extensions import db
from skillmap.models import LoginAttempt, User
from skillmap.services import accounts, login_guard
from tests.conftest import PASSWORD, AuthActions, csrf_token

EMAIL = "manager@test.coop"


def _try(client, email, password, address="127.0.0.1"):
    token = csrf_token(client, "/login")
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token},
                       environ_base={"REMOTE_ADDR": address})


def _signed_in(resp):
    return resp.status_code == 302 and "/login" not in resp.headers["Location"]


def _age_attempts(seconds):
    """Move every recorded attempt ``seconds`` into the past (time passing)."""
    for row in db.session.scalars(sa.select(LoginAttempt)):
        row.at = row.at - timedelta(seconds=seconds)
    db.session.commit()


def test_200_wrong_passwords_lock_the_account_and_the_right_one_is_refused(client, users):
    statuses = [_try(client, EMAIL, f"wrong guess {i}").status_code for i in range(200)]
    assert statuses[:5] == [200] * 5          # five free failures...
    assert set(statuses[5:]) == {429}          # ...then every attempt is refused
    resp = _try(client, EMAIL, PASSWORD)
    assert resp.status_code == 429
    html = resp.get_data(as_text=True)
    assert "Troppi tentativi di accesso non riusciti. Attendi" in html
    assert "minut" in html
    assert db.session.get(User, users["manager"].id).last_login_at is None
    assert not _signed_in(resp)
    # only the first five reached a password check; every attempt is on record
    outcomes = db.session.execute(sa.select(LoginAttempt.outcome, sa.func.count())
                                  .group_by(LoginAttempt.outcome)).all()
    assert dict(outcomes) == {"failed": 5, "locked": 196}


def test_waits_grow_then_end(client, users):
    for i in range(5):
        _try(client, EMAIL, f"wrong {i}")
    assert login_guard.standing(EMAIL, "x").wait_seconds == 30
    _age_attempts(31)
    _try(client, EMAIL, "wrong again")                     # the 6th failure...
    assert login_guard.standing(EMAIL, "x").wait_seconds == 60   # ...doubles the wait
    for _ in range(6):                                      # keep failing: up to the lock
        _age_attempts(16 * 60)
        _try(client, EMAIL, "still wrong")
    assert login_guard.standing(EMAIL, "x").wait_seconds == 15 * 60
    _age_attempts(15 * 60 + 1)                              # after the lock...
    assert _signed_in(_try(client, EMAIL, PASSWORD))       # ...the right password works
    assert login_guard.standing(EMAIL, "x").wait_seconds == 0  # and the count starts again


def test_one_address_trying_many_accounts_is_throttled(client, users):
    for i in range(30):
        assert _try(client, f"guess{i}@test.coop", "some password",
                    address="203.0.113.9").status_code == 200
    assert _try(client, "employee@test.coop", PASSWORD, address="203.0.113.9").status_code == 429
    # another address is not held back by it
    assert _signed_in(_try(client, "employee@test.coop", PASSWORD, address="198.51.100.4"))


def test_unknown_emails_are_locked_like_known_ones(client, users):
    """A lock says nothing about which e-mails have an account."""
    for email in (EMAIL, "nobody@test.coop"):
        statuses = [_try(client, email, "wrong password").status_code for _ in range(7)]
        assert statuses == [200] * 5 + [429] * 2


@pytest.mark.parametrize("email,active", [("nobody@test.coop", True),
                                          ("employee@test.coop", True),
                                          ("employee@test.coop", False)])
def test_every_attempt_checks_one_password_hash(app, users, monkeypatch, email, active):
    """Unknown e-mails, disabled and enabled accounts all pay for one hash check."""
    users["employee"].active = active
    db.session.commit()
    checked = []
    real = accounts.check_password_hash

    def spy(pwhash, password):
        checked.append(pwhash)
        return real(pwhash, password)

    monkeypatch.setattr(accounts, "check_password_hash", spy)
    with app.test_request_context():
        accounts.authenticate(email, "wrong password", "127.0.0.1")
    assert len(checked) == 1
    if email.startswith("nobody"):
        assert checked == [accounts.DUMMY_HASH]


def test_the_dummy_hash_costs_what_a_real_one_costs():
    method = generate_password_hash("x").split("$")[0]
    assert accounts.DUMMY_HASH.split("$")[0] == method


def test_admins_see_failed_sign_ins_and_locked_accounts(client, users):
    for i in range(6):
        _try(client, EMAIL, f"wrong {i}", address="192.0.2.7")
    _try(client, "nobody@test.coop", "wrong", address="192.0.2.8")
    auth = AuthActions(client)
    auth.login("admin")
    html = client.get("/admin/sign-ins").get_data(as_text=True)
    assert "Account che ora devono attendere" in html
    assert html.count(EMAIL) >= 7          # one row per attempt plus the locked list
    assert "192.0.2.7" in html
    assert "nobody@test.coop" not in html  # no account: not tied to this cooperative
    auth.logout()
    auth.login("coordinator")
    assert client.get("/admin/sign-ins").status_code == 403


def test_failures_are_logged(client, users, caplog):
    with caplog.at_level("WARNING"):
        _try(client, EMAIL, "wrong password", address="192.0.2.50")
    assert any("failed" in r.getMessage() and "192.0.2.50" in r.getMessage()
               for r in caplog.records)
