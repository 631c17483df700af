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
