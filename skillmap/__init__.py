"""SkillMap: skills mapping and team building for cooperatives."""
from __future__ import annotations

import os
from pathlib import Path

from typing import TYPE_CHECKING

from skillmap import config as cfg

if TYPE_CHECKING:  # the pure engine package must be importable without Flask
    from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> "Flask":
    """Build the Flask application.

    Order: defaults -> ``instance/config.py`` -> ``SKILLMAP_*`` environment
    -> ``test_config``; then extensions, blueprints and CLI commands.
    """
    from flask import Flask

    app = Flask(__name__, instance_path=str(ROOT / "instance"), instance_relative_config=True,
                template_folder=str(ROOT / "templates"))
    app.config.from_object(cfg.Defaults)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.update(cfg.from_environment())
    else:
        app.config.update(test_config)
    _finish_config(app)

    from skillmap.extensions import babel, csrf, db, login_manager, migrate
    from flask_babel import lazy_gettext as _l

    from skillmap.i18n import install_template_helpers, select_locale

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to open this page.")
    login_manager.login_message_category = "info"
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=str(Path(__file__).parent / "translations"))
    install_template_helpers(app)
    _sqlite_pragmas(app, db)

    from skillmap import queue
    from skillmap.services import recompute  # noqa: F401  (registers the job kind)

    queue.init_app(app)

    from skillmap import web
    web.register(app)

    from skillmap import cli
    cli.register(app)
    return app


def _finish_config(app: "Flask") -> None:
    """Fill derived settings and refuse unsafe production configurations."""
    if not app.config.get("SECRET_KEY"):
        if app.config.get("ENV_NAME") == "production":
            raise RuntimeError(
                "SKILLMAP_SECRET_KEY is not set. In production SkillMap refuses to start "
                "without a secret key: set SKILLMAP_SECRET_KEY or SECRET_KEY in "
                "instance/config.py.")
        app.config["SECRET_KEY"] = cfg.DEV_SECRET
    uri = app.config.get("SQLALCHEMY_DATABASE_URI")
    if not uri:
        os.makedirs(app.instance_path, exist_ok=True)
        uri = "sqlite:///" + os.path.join(app.instance_path, "skillmap.sqlite")
    app.config["SQLALCHEMY_DATABASE_URI"] = cfg.normalise_database_url(uri)
    if not app.config.get("BACKUP_DIR"):
        app.config["BACKUP_DIR"] = os.path.join(app.instance_path, "backups")
    if int(app.config.get("BACKUP_KEEP") or 0) < 1:
        raise RuntimeError("BACKUP_KEEP (SKILLMAP_BACKUP_KEEP) must be at least 1.")
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        opts = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        opts.setdefault("connect_args", {}).setdefault("timeout", 15)
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = opts
    if app.config.get("HTTPS"):
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True


def _sqlite_pragmas(app: "Flask", db) -> None:
    """SQLite: write-ahead log, a busy timeout, enforced foreign keys, secure delete."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    import sqlalchemy as sa

    with app.app_context():
        engine = db.engine

        @sa.event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn, _record):  # pragma: no cover - exercised by every test
            cur = dbapi_conn.cursor()
            if ":memory:" not in app.config["SQLALCHEMY_DATABASE_URI"]:
                cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=15000")
            cur.execute("PRAGMA foreign_keys=ON")
            # deleted rows are overwritten with zeros, not left in free pages (erasure)
            cur.execute("PRAGMA secure_delete=ON")
            cur.close()
