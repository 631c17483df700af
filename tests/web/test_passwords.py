"""Password policy as NIST SP 800-63B asks (issue 12), through every place that sets one."""
from __future__ import annotations

import pytest

from skillmap.extensions import db
from skillmap.models import User
from skillmap.services import passwords
from tests.conftest import PASSWORD

GUESSABLE = ["password12", "aaaaaaaaaa", "1234567890", "qwertyuiop", "passwordpassword",
             "ciaociao1234", "Password2024!", "P@ssw0rd1234", "juventus1897", "amoremio2023",
             "aaaaaaaaaaaa", "123456789012", "qwertyuiop12", "abcabcabcabc", "forzanapoli1926",
             "francesca1990"]
PERSONAL = ["anna rossi 2024!", "rossi-rossi-rossi-x", "employee-is-me-here"]
FINE = ["cavallo giusto batteria graffetta", "skillmap-demo", "la mia casa al mare 7",
        "un orto pieno di zucche"]


@pytest.mark.parametrize("password", GUESSABLE)
def test_change_password_refuses_guessable(client, auth, users, post_form, password):
    auth.login("employee")
    resp = post_form("/account", {"current": PASSWORD, "new": password, "confirm": password})
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert ("troppo comune o facile da indovinare" in html) or ("Usa almeno 12 caratteri" in html)
    assert db.session.get(User, users["employee"].id).check_password(PASSWORD)


@pytest.mark.parametrize("password", PERSONAL)
def test_change_password_refuses_the_email_and_the_name(client, auth, users, post_form, password):
    auth.login("employee")  # Anna Rossi, employee@test.coop
    resp = post_form("/account", {"current": PASSWORD, "new": password, "confirm": password})
    assert "non deve contenere il tuo indirizzo e-mail né il tuo nome" in resp.get_data(as_text=True)
    assert db.session.get(User, users["employee"].id).check_password(PASSWORD)


def test_change_password_refuses_the_current_one(client, auth, users, post_form):
    auth.login("employee")
    resp = post_form("/account", {"current": PASSWORD, "new": PASSWORD, "confirm": PASSWORD})
    assert "deve essere diversa da quella attuale" in resp.get_data(as_text=True)


@pytest.mark.parametrize("password", FINE)
def test_long_passphrases_need_no_digits_or_symbols(client, auth, users, post_form, password):
    auth.login("employee")
    resp = post_form("/account", {"current": PASSWORD, "new": password, "confirm": password})
    assert resp.status_code == 302
    assert db.session.get(User, users["employee"].id).check_password(password)


@pytest.mark.parametrize("password", ["password12", "ciaociao1234", "nuovo.utente.2024",
                                      "1234567890ab"])
def test_admin_account_creation_uses_the_same_policy(client, auth, users, post_form, password):
    auth.login("admin")
    resp = post_form("/admin/users", {"email": "nuovo.utente@test.coop", "role": "employee",
                                      "password": password})
    assert resp.status_code == 200
    assert db.session.scalar(db.select(User).where(User.email == "nuovo.utente@test.coop")) is None


@pytest.mark.parametrize("password,ok", [("password12", False), ("qwertyuiop1234", False),
                                         ("correct horse battery", True)])
def test_create_user_command_uses_the_same_policy(runner, org, password, ok):
    result = runner.invoke(args=["create-user", "--email", "cli@test.coop", "--role", "admin",
                                 "--password", password])
    assert (result.exit_code == 0) == ok, result.output
    if not ok:
        assert "password" in result.output


def test_demo_logins_keep_working(app):
    from skillmap.services.demo import DEMO_PASSWORD

    passwords.check(DEMO_PASSWORD, email="dipendente@demo.coop")


def test_the_shipped_list_has_italian_entries():
    common = passwords._common()
    assert {"ciao", "juventus", "tiamo", "password", "qwerty"} <= common
    assert len(common) > 500
