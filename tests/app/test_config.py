"""Configuration: environment overrides and refusing unsafe production settings."""
import pytest

from skillmap import config as cfg, create_app


def test_missing_secret_key_in_production_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("SKILLMAP_ENV", "production")
    monkeypatch.delenv("SKILLMAP_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SKILLMAP_SECRET_KEY"):
        create_app()


def test_environment_overrides(monkeypatch, tmp_path):
    monkeypatch.setenv("SKILLMAP_SECRET_KEY", "from-env")
    monkeypatch.setenv("SKILLMAP_DATABASE_URL", f"sqlite:///{tmp_path}/x.sqlite")
    monkeypatch.setenv("SKILLMAP_PRIVACY_MIN_GROUP", "7")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("x.sqlite")
    assert app.config["PRIVACY_MIN_GROUP"] == 7


@pytest.mark.parametrize("url,expected", [
    ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
    ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
    ("sqlite:///x.db", "sqlite:///x.db"),
])
def test_database_urls_use_psycopg3(url, expected):
    assert cfg.normalise_database_url(url) == expected


def test_sqlite_runs_with_wal_and_busy_timeout(tmp_path):
    import sqlalchemy as sa

    from skillmap.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/w.sqlite",
                      "SECRET_KEY": "x"})
    with app.app_context(), db.engine.connect() as conn:
        assert conn.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(sa.text("PRAGMA busy_timeout")).scalar() == 15000
        assert conn.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1


def test_password_hash_method_is_configurable_and_old_hashes_still_check(tmp_path):
    from skillmap.models import User

    secure = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/h.sqlite",
                         "SECRET_KEY": "x"})
    fast = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/h.sqlite",
                       "SECRET_KEY": "x", "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    user = User(email="a@b.coop")
    with secure.app_context():
        user.set_password("una password lunga")
    assert user.password_hash.startswith("scrypt:")
    with fast.app_context():
        assert user.check_password("una password lunga")  # accounts made before the switch
        user.set_password("una password lunga")
    assert user.password_hash.startswith("pbkdf2:sha256:1000$")
    assert user.check_password("una password lunga") and not user.check_password("sbagliata")
@pytest.mark.parametrize("security, tls, ssl", [("starttls", True, False), ("SSL", False, True),
                                                ("none", False, False)])
def test_mail_settings_from_the_environment(monkeypatch, tmp_path, security, tls, ssl):
    monkeypatch.setenv("SKILLMAP_DATABASE_URL", f"sqlite:///{tmp_path}/x.sqlite")
    for var, value in {"SKILLMAP_MAIL_SERVER": "smtp.coop.it", "SKILLMAP_MAIL_PORT": "465",
                       "SKILLMAP_MAIL_USERNAME": "u", "SKILLMAP_MAIL_PASSWORD": "p",
                       "SKILLMAP_MAIL_SECURITY": security,
                       "SKILLMAP_MAIL_SENDER": "SkillMap <s@coop.it>"}.items():
        monkeypatch.setenv(var, value)
    app = create_app()
    mailman = app.extensions["mailman"]
    assert (mailman.server, mailman.port, mailman.username, mailman.password) == (
        "smtp.coop.it", 465, "u", "p")
    assert (mailman.use_tls, mailman.use_ssl) == (tls, ssl)
    assert mailman.default_sender == "SkillMap <s@coop.it>"


@pytest.mark.parametrize("key, value, message", [
    ("MAIL_SECURITY", "tls1", "MAIL_SECURITY"), ("RETENTION_MONTHS", 0, "RETENTION_MONTHS")])
def test_bad_mail_or_retention_settings_are_refused(tmp_path, key, value, message):
    with pytest.raises(RuntimeError, match=message):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite", key: value})


def test_single_sign_on_and_export_settings_from_the_environment():
    from skillmap.config import from_environment

    conf = from_environment({
        "SKILLMAP_OIDC_ISSUER": "https://login.microsoftonline.com/t/v2.0",
        "SKILLMAP_OIDC_CLIENT_ID": "id", "SKILLMAP_OIDC_CLIENT_SECRET": "s",
        "SKILLMAP_OIDC_PROVIDER_NAME": "Microsoft 365", "SKILLMAP_OIDC_CREATE_ACCOUNTS": "no",
        "SKILLMAP_OIDC_SSO_ONLY": "yes", "SKILLMAP_EXPORT_KEEP_HOURS": "6",
        "SKILLMAP_EXPORT_DIR": "/srv/exports"})
    assert conf["OIDC_ISSUER"].startswith("https://login") and conf["OIDC_CLIENT_ID"] == "id"
    assert conf["OIDC_CREATE_ACCOUNTS"] is False and conf["OIDC_SSO_ONLY"] is True
    assert conf["EXPORT_KEEP_HOURS"] == 6.0 and conf["EXPORT_DIR"] == "/srv/exports"
