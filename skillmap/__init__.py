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

    from skillmap.extensions import babel, csrf, db, login_manager, mail, migrate
    from flask_babel import lazy_gettext as _l

    from skillmap.i18n import install_template_helpers, select_locale

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to open this page.")
    login_manager.login_message_category = "info"
    csrf.init_app(app)
    mail.init_app(app)
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=str(Path(__file__).parent / "translations"))
    install_template_helpers(app)
    _sqlite_pragmas(app, db)

    from skillmap import queue
    from skillmap.services import recompute  # noqa: F401  (registers the job kind)
    from skillmap.services import invitation_job  # noqa: F401  (registers the bulk invitation)
    from skillmap.services import report_snapshots  # noqa: F401  (registers the reports job)
    from skillmap.services import full_export  # noqa: F401  (registers the full export)

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
        _private_dir(app.instance_path)
        uri = "sqlite:///" + os.path.join(app.instance_path, "skillmap.sqlite")
    app.config["SQLALCHEMY_DATABASE_URI"] = cfg.normalise_database_url(uri)
    if not app.config.get("EXPORT_DIR"):
        app.config["EXPORT_DIR"] = os.path.join(app.instance_path, "exports")
    if not app.config.get("BACKUP_DIR"):
        app.config["BACKUP_DIR"] = os.path.join(app.instance_path, "backups")
    if not app.config.get("TRAINING_FILES_DIR"):
        app.config["TRAINING_FILES_DIR"] = os.path.join(app.instance_path, "certificates")
    _mail_config(app)
    if int(app.config.get("BACKUP_KEEP") or 0) < 1:
        raise RuntimeError("BACKUP_KEEP (SKILLMAP_BACKUP_KEEP) must be at least 1.")
    opts = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    connect_args = dict(opts.get("connect_args") or {})
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        connect_args.setdefault("timeout", 15)
    elif app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # an unreachable server answers with the outage page in seconds, not after the
        # operating system's TCP timeout; pooled connections broken by a restart are
        # replaced before use instead of failing one request each
        if "connect_timeout=" not in app.config["SQLALCHEMY_DATABASE_URI"]:
            connect_args.setdefault("connect_timeout", app.config["DATABASE_CONNECT_TIMEOUT"])
        opts.setdefault("pool_pre_ping", True)
    if connect_args:
        opts["connect_args"] = connect_args
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = opts
    if app.config.get("HTTPS"):
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True


def _private_dir(path: str) -> None:
    """Create ``path`` readable by its owner only; tighten it if others can read it."""
    os.makedirs(path, mode=0o700, exist_ok=True)
    try:
        if os.stat(path).st_mode & 0o077:
            os.chmod(path, 0o700)
    except PermissionError:  # not ours to change: leave it to the installer
        pass


def _private_sqlite_file(uri: str) -> None:
    """Create the SQLite database file with mode 0600 before SQLite does (SQLite would use
    the umask, usually 0644), and tighten an existing one; its -wal and -shm files take the
    database file's mode."""
    import sqlalchemy as sa

    path = sa.engine.make_url(uri).database
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    if not os.path.isdir(os.path.dirname(os.path.abspath(path))):
        return  # SQLite will say it cannot open the file: an outage, not a folder to invent
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        for name in (path, path + "-wal", path + "-shm"):
            try:
                if os.stat(name).st_mode & 0o077:
                    os.chmod(name, 0o600)
            except (FileNotFoundError, PermissionError):
                pass
    else:
        os.close(fd)


def _mail_config(app: "Flask") -> None:
    """Translate the MAIL_* settings into Flask-Mailman's, refusing an unknown security."""
    security = (app.config.get("MAIL_SECURITY") or "none").lower()
    if security not in ("starttls", "ssl", "none"):
        raise RuntimeError("MAIL_SECURITY (SKILLMAP_MAIL_SECURITY) must be starttls, ssl or none, "
                           f"not {security!r}.")
    app.config["MAIL_USE_TLS"] = security == "starttls"
    app.config["MAIL_USE_SSL"] = security == "ssl"
    app.config["MAIL_DEFAULT_SENDER"] = app.config.get("MAIL_SENDER")
    app.config["MAIL_BACKEND"] = "smtp"
    if not app.config.get("MAIL_OUTBOX_DIR"):
        app.config["MAIL_OUTBOX_DIR"] = os.path.join(app.instance_path, "outbox")
    if int(app.config.get("RETENTION_MONTHS") or 0) < 1:
        raise RuntimeError("RETENTION_MONTHS (SKILLMAP_RETENTION_MONTHS) must be at least 1.")


def _sqlite_pragmas(app: "Flask", db) -> None:
    """SQLite: a private file, write-ahead log, a busy timeout, enforced foreign keys and
    secure delete."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    import sqlalchemy as sa

    with app.app_context():
        engine = db.engine

        @sa.event.listens_for(engine, "do_connect")
        def _private_file(_dialect, _record, _cargs, _cparams):
            # when a connection is first needed, not at start: /healthz reports a missing
            # file instead of finding an empty one made for it
            _private_sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"])

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
