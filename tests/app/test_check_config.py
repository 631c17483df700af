"""``flask --app skillmap check-config``: each unsafe setting named, exit status non-zero."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from skillmap import create_app
from skillmap.config import DEV_SECRET
from skillmap.extensions import db
from skillmap.services import backup
from skillmap.services.config_check import check, workers

SAFE = {"SECRET_KEY": "x" * 40, "ENV_NAME": "production", "HTTPS": True,
        "MAIL_SERVER": "smtp.coop.example"}


@pytest.fixture
def make(database_url, tmp_path, monkeypatch):
    """An app with ``overrides`` over a safe configuration; backups fresh unless ``stale``."""
    def _make(stale=False, **overrides):
        conf = {"SQLALCHEMY_DATABASE_URI": database_url, "QUEUE_URL": "memory",
                "BACKUP_DIR": str(tmp_path / "backups"), **SAFE, **overrides}
        conf = {k: v for k, v in conf.items() if v is not None}
        if not stale:
            now = datetime.now(timezone.utc)
            monkeypatch.setattr(backup, "backup_status",
                                lambda: backup.BackupStatus({"time": now.isoformat()}, now, False))
        return create_app(conf)
    return _make


def keys(app, environ=None):
    with app.app_context():
        return [p.key for p in check(app, db, environ or {})]


def test_a_safe_configuration_has_nothing_to_report(make):
    assert keys(make()) == []


@pytest.mark.parametrize("overrides,environ,key", [
    ({"SECRET_KEY": DEV_SECRET}, {}, "secret_key"),
    ({"SECRET_KEY": "short"}, {}, "secret_key"),
    ({"HTTPS": False}, {}, "https"),
    ({"DEBUG": True}, {}, "debug"),
    ({}, {"FLASK_DEBUG": "1"}, "debug"),
    ({"MAIL_SERVER": None}, {}, "mail"),
    ({"OIDC_ISSUER": "https://id.coop.example"}, {}, "sso"),
    ({"OIDC_ISSUER": "https://id.coop.example", "OIDC_CLIENT_ID": "skillmap"}, {}, "sso"),
    ({"OIDC_CLIENT_SECRET": "s"}, {}, "sso"),
    ({"OIDC_ISSUER": "http://id.coop.example", "OIDC_CLIENT_ID": "skillmap",
      "OIDC_CLIENT_SECRET": "s"}, {}, "sso"),
])
def test_each_unsafe_setting_is_named(make, overrides, environ, key):
    assert keys(make(**overrides), environ) == [key]


def test_single_sign_on_fully_configured_is_fine(make):
    assert keys(make(OIDC_ISSUER="https://id.coop.example", OIDC_CLIENT_ID="skillmap",
                     OIDC_CLIENT_SECRET="s3cret")) == []


def test_https_off_is_fine_outside_production(make):
    assert keys(make(HTTPS=False, ENV_NAME="development")) == []


def test_mail_server_from_the_environment_counts(make):
    assert keys(make(MAIL_SERVER=None), {"SKILLMAP_MAIL_SERVER": "smtp.x"}) == []


def test_no_backup_in_the_last_day_is_reported(make):
    app = make(stale=True)   # an empty backup folder: never a good backup
    with app.app_context():
        found = {p.key: p.message for p in check(app, db, {})}
    assert list(found) == ["backup"] and "never" in found["backup"]


def test_sqlite_with_several_workers_needs_wal(make, tmp_path, monkeypatch):
    from skillmap.services import config_check

    app = make(SQLALCHEMY_DATABASE_URI="sqlite:///" + str(tmp_path / "rollback.sqlite"))
    # a disk where WAL cannot be used leaves SQLite in its rollback journal
    monkeypatch.setattr(config_check, "_journal_mode", lambda _db: "delete")
    with app.app_context():
        found = check(app, db, {"WEB_CONCURRENCY": "4"})
        assert [p.key for p in found] == ["sqlite_wal"] and "4 web workers" in found[0].message
        assert check(app, db, {"WEB_CONCURRENCY": "1"}) == []


def test_sqlite_in_wal_with_several_workers_is_fine(make, tmp_path):
    app = make(SQLALCHEMY_DATABASE_URI="sqlite:///" + str(tmp_path / "wal.sqlite"))
    assert keys(app, {"GUNICORN_CMD_ARGS": "--workers 3"}) == []


@pytest.mark.parametrize("environ,n", [({}, 1), ({"WEB_CONCURRENCY": "3"}, 3),
                                       ({"GUNICORN_CMD_ARGS": "-w 4 --bind :8000"}, 4),
                                       ({"GUNICORN_CMD_ARGS": "--workers=2"}, 2)])
def test_workers_read_from_gunicorn_settings(environ, n):
    assert workers(environ) == n


def test_the_command_lists_problems_in_words_and_exits_non_zero(make):
    app = make(SECRET_KEY=DEV_SECRET, HTTPS=False)
    result = app.test_cli_runner().invoke(args=["check-config"])
    assert result.exit_code == 1
    assert "2 unsafe setting(s) found" in result.output
    assert "secret key" in result.output and "HTTPS is off in production" in result.output


def test_the_command_exits_zero_when_all_is_safe(make):
    result = make().test_cli_runner().invoke(args=["check-config"])
    assert result.exit_code == 0 and "Nothing unsafe" in result.output
