"""Backups of the configured database, and restoring them.

SQLite is copied through the online backup API (``sqlite3.Connection.backup``): the copy is
one consistent snapshot taken while the app keeps writing, WAL content included, unlike a
file copy. PostgreSQL is dumped by ``pg_dump --format=custom`` and restored by
``pg_restore``. Every backup is checked before it counts (SQLite ``PRAGMA integrity_check``
and the ``alembic_version`` table; ``pg_restore --list`` for a dump), written with mode 0600
and recorded in ``backups.json`` in the backup directory, the history the admin home reads.

Functions raise :class:`BackupError` subclasses whose message is meant for the operator.
"""
from __future__ import annotations

import contextlib
import fcntl
import glob
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from skillmap.extensions import db

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
NAME_RE = re.compile(r"^skillmap-(\d{8}-\d{6})\.(sqlite|dump)$")
MANIFEST = "backups.json"
MANIFEST_MAX = 1000  # entries kept in the history (about three years of daily backups)
STALE_AFTER = timedelta(hours=24)
KIND_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
EXTENSIONS = {"sqlite": ".sqlite", "postgresql": ".dump"}


class BackupError(Exception):
    """A backup or restore refused or failed; the message says why, for the operator."""


class NotABackup(BackupError):
    """The file is missing, unreadable, damaged or not a SkillMap backup."""


class WrongKind(BackupError):
    """A SQLite backup for a PostgreSQL database, or the other way round."""


class DatabaseNotEmpty(BackupError):
    """The restore would overwrite data and ``force`` was not given."""


class ToolMissing(BackupError):
    """pg_dump or pg_restore cannot be found."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    sha256: str
    kind: str  # "sqlite" or "postgresql"


@dataclass(frozen=True)
class RestoreResult:
    kind: str
    revision_before: str | None  # the backup's migration revision
    revision_after: str | None   # head, after upgrading


@dataclass(frozen=True)
class BackupStatus:
    """What the admin home shows: the last good backup and whether it is too old."""

    last: dict | None
    time: datetime | None
    stale: bool


# -- the configured database -----------------------------------------------------------------

def _kind() -> str:
    name = db.engine.url.get_backend_name()
    if name not in KIND_NAMES:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {name}.")
    return name


def _sqlite_path() -> Path:
    database = db.engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupError("The configured SQLite database is not a plain file "
                          f"({database or 'in memory'}); it cannot be backed up or restored.")
    return Path(database).resolve()


def _pg_args() -> tuple[list[str], dict]:
    """``--dbname`` for libpq and an environment carrying the password (never in argv)."""
    url = db.engine.url
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    conninfo = url.set(drivername="postgresql", password=None).render_as_string(
        hide_password=False)
    return [f"--dbname={conninfo}"], env


def pg_tool(name: str) -> str:
    """The path of ``pg_dump`` / ``pg_restore``: on PATH, else the newest PostgreSQL's bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                        key=lambda p: int(re.search(r"/(\d+)/bin/", p).group(1)))
    if candidates:
        return candidates[-1]
    raise ToolMissing(f"{name} was not found on PATH nor in /usr/lib/postgresql/*/bin. "
                      "Install the PostgreSQL client tools (Debian: apt-get install "
                      "postgresql-client) in the same major version as the server, or newer.")


def _run(args: list[str], env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(args, env=env, capture_output=True, text=True, check=False)


# -- checks on backup files ------------------------------------------------------------------

def file_kind(path: Path) -> str:
    """``"sqlite"`` or ``"postgresql"`` from the file's first bytes; NotABackup otherwise."""
    if not path.exists():
        raise NotABackup(f"{path}: no such file.")
    if not path.is_file():
        raise NotABackup(f"{path} is not a file.")
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise NotABackup(f"{path} cannot be read: {exc.strerror}.") from exc
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    raise NotABackup(f"{path} is not a SkillMap backup: neither a SQLite database nor a "
                     "pg_dump custom-format archive.")


def check_sqlite_file(path: Path) -> str:
    """Integrity check and migration revision of a SQLite backup; NotABackup if damaged."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise NotABackup(f"{path} cannot be opened as a SQLite database: {exc}.") from exc
    try:
        problems = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        if problems != ["ok"]:
            raise NotABackup(f"{path} is damaged: SQLite's integrity check reports "
                             f"{'; '.join(problems[:3])}.")
        has_table = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' "
                                 "AND name = 'alembic_version'").fetchone()
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone() \
            if has_table else None
    except sqlite3.Error as exc:
        raise NotABackup(f"{path} is not a readable SQLite database ({exc}).") from exc
    finally:
        conn.close()
    if row is None:
        raise NotABackup(f"{path} is a SQLite database but not a SkillMap backup: it has no "
                         "migration revision (alembic_version).")
    return row[0]


def check_pg_dump(path: Path) -> None:
    """``pg_restore --list`` reads the archive's table of contents; NotABackup if it fails."""
    listing = _run([pg_tool("pg_restore"), "--list", str(path)])
    if listing.returncode != 0:
        raise NotABackup(f"{path} is not a readable pg_dump archive: "
                         f"{listing.stderr.strip() or 'pg_restore --list failed'}.")
    if not re.search(r"\bTABLE DATA \S+ alembic_version\b", listing.stdout):
        raise NotABackup(f"{path} is a pg_dump archive but not a SkillMap backup: it has no "
                         "migration revision (alembic_version).")
    # read every data block too (they are compressed: damage shows as a read error)
    full = _run([pg_tool("pg_restore"), f"--file={os.devnull}", str(path)])
    if full.returncode != 0:
        raise NotABackup(f"{path} is damaged: {full.stderr.strip()}.")


def _dump_tables(path: Path) -> set[str]:
    listing = _run([pg_tool("pg_restore"), "--list", str(path)]).stdout
    return set(re.findall(r"\bTABLE public (\S+) ", listing))


# -- making a backup -------------------------------------------------------------------------

def _private_temp(directory: Path, suffix: str) -> Path:
    """An empty file readable only by its owner, beside the final backup."""
    fd, name = tempfile.mkstemp(prefix=".skillmap-backup-", suffix=suffix, dir=directory)
    os.close(fd)
    os.chmod(name, 0o600)
    return Path(name)


def _sqlite_backup(tmp: Path) -> None:
    path = _sqlite_path()
    if not path.is_file():
        raise BackupError(f"The configured database {path} does not exist.")
    source = sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=15)  # never creates it
    try:
        target = sqlite3.connect(str(tmp))
        try:
            # one step (pages=-1): a single read transaction, so one consistent snapshot;
            # in WAL mode the app's writers are not blocked meanwhile
            source.backup(target)
            target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            target.commit()
        finally:
            target.close()
    finally:
        source.close()
    check_sqlite_file(tmp)


def _pg_backup(tmp: Path) -> None:
    dbname, env = _pg_args()
    done = _run([pg_tool("pg_dump"), "--format=custom", f"--file={tmp}", *dbname], env)
    if done.returncode != 0:
        raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
    check_pg_dump(tmp)


def make_backup(dest_path) -> BackupResult:
    """Write a checked backup of the configured database to ``dest_path`` (mode 0600).

    The file appears only once complete and checked (written beside it, then renamed).
    """
    kind = _kind()
    dest = Path(dest_path).resolve()
    if not dest.parent.is_dir():
        raise BackupError(f"The folder {dest.parent} does not exist.")
    if dest.is_dir():
        raise BackupError(f"{dest} is a folder; give a file name.")
    if kind == "sqlite" and dest == _sqlite_path():
        raise BackupError("The backup cannot overwrite the database itself.")
    tmp = _private_temp(dest.parent, EXTENSIONS[kind])
    try:
        if kind == "sqlite":
            _sqlite_backup(tmp)
        else:
            _pg_backup(tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, dest)
    except NotABackup as exc:
        raise BackupError(f"The backup failed its check: {exc}") from exc
    except sqlite3.Error as exc:
        raise BackupError(f"The SQLite backup failed: {exc}.") from exc
    finally:
        tmp.unlink(missing_ok=True)
    return BackupResult(dest, dest.stat().st_size, _sha256(dest), kind)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# -- restoring -------------------------------------------------------------------------------

def has_data() -> bool:
    """True when any table of the configured database (bar alembic_version) has a row."""
    engine = db.engine
    names = [n for n in sa.inspect(engine).get_table_names() if n != "alembic_version"]
    prep = engine.dialect.identifier_preparer
    with engine.connect() as conn:
        for name in names:
            if conn.execute(sa.text(f"SELECT 1 FROM {prep.quote(name)} LIMIT 1")).first():
                return True
    return False


def _current_revision() -> str | None:
    with db.engine.connect() as conn:
        if not sa.inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def _sqlite_restore(src: Path) -> None:
    target_path = _sqlite_path()
    if target_path == src.resolve():
        raise BackupError("The backup file is the configured database itself.")
    db.session.remove()
    db.engine.dispose()
    source = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
    try:
        target = sqlite3.connect(str(target_path), timeout=15)
        try:
            source.backup(target)  # one write transaction: readers see all or nothing
            target.execute("PRAGMA journal_mode=WAL")
        finally:
            target.close()
    except sqlite3.Error as exc:
        raise BackupError(f"The restore into {target_path} failed: {exc}.") from exc
    finally:
        source.close()


def _pg_restore(src: Path) -> None:
    db.session.remove()
    db.engine.dispose()
    dbname, env = _pg_args()
    done = _run([pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner",
                 "--single-transaction", "--exit-on-error", *dbname, str(src)], env)
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed; the database was left as it was: "
                          f"{done.stderr.strip()}")
    # tables a newer schema added would break the upgrade to head: the backup has none
    extra = set(sa.inspect(db.engine).get_table_names()) - _dump_tables(src)
    if extra:
        prep = db.engine.dialect.identifier_preparer
        with db.engine.begin() as conn:
            for name in sorted(extra):
                conn.execute(sa.text(f"DROP TABLE IF EXISTS {prep.quote(name)} CASCADE"))


def restore_backup(src_path, force: bool = False) -> RestoreResult:
    """Replace the configured database with the backup at ``src_path``, then migrate to head.

    The file is checked first; a database that holds data is overwritten only with ``force``.
    """
    from flask_migrate import upgrade

    src = Path(src_path).resolve()
    kind = _kind()
    found = file_kind(src)
    if found != kind:
        raise WrongKind(f"{src} is a {KIND_NAMES[found]} backup but the configured database is "
                        f"{KIND_NAMES[kind]}: restore it into a {KIND_NAMES[found]} database "
                        "(SKILLMAP_DATABASE_URL).")
    revision = check_sqlite_file(src) if kind == "sqlite" else None
    if kind == "postgresql":
        check_pg_dump(src)
    if not force and has_data():
        raise DatabaseNotEmpty("The configured database already holds data; restoring would "
                               "overwrite it. Restore into a new, empty database, or confirm "
                               "with --force.")
    if kind == "sqlite":
        _sqlite_restore(src)
    else:
        _pg_restore(src)
        revision = _current_revision()
    upgrade()
    db.engine.dispose()
    return RestoreResult(kind, revision, _current_revision())


# -- the backup directory: dated names, rotation, the manifest ---------------------------------

def backup_dir() -> Path:
    return Path(current_app.config["BACKUP_DIR"])


def dated_name(kind: str, now: datetime | None = None) -> str:
    """``skillmap-YYYYmmdd-HHMMSS.sqlite`` / ``.dump``, in UTC so names sort by time."""
    now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    return f"skillmap-{now:%Y%m%d-%H%M%S}{EXTENSIONS[kind]}"


def dated_backup_path(directory, now: datetime | None = None) -> Path:
    return Path(directory) / dated_name(_kind(), now)


def rotate(directory, keep: int) -> list[Path]:
    """Delete all but the ``keep`` newest dated backups in ``directory``; return the deleted.

    Only files named ``skillmap-YYYYmmdd-HHMMSS.sqlite`` / ``.dump`` are touched.
    """
    if keep < 1:
        raise BackupError("Keep at least one backup.")
    dated = sorted((p for p in Path(directory).iterdir()
                    if NAME_RE.match(p.name) and p.is_file()),
                   key=lambda p: (NAME_RE.match(p.name).group(1), p.name))
    doomed = dated[:-keep]
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


def ensure_dir(directory) -> Path:
    """The backup folder, made (mode 0700) if missing; BackupError if it cannot be."""
    path = Path(directory)
    if path.exists() and not path.is_dir():
        raise BackupError(f"The backup folder {path} is a file, not a folder.")
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupError(f"The backup folder {path} cannot be created: "
                          f"{exc.strerror}.") from exc
    return path


@contextlib.contextmanager
def _manifest_lock(directory: Path):
    with os.fdopen(os.open(directory / f".{MANIFEST}.lock", os.O_RDWR | os.O_CREAT, 0o600)) as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _read_manifest(directory: Path) -> list[dict]:
    try:
        data = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [e for e in data.get("backups", []) if isinstance(e, dict) and "time" in e] \
        if isinstance(data, dict) else []


def record_backup(path, size: int, origin: str, *, sha256: str | None = None,
                  when: datetime | None = None) -> dict:
    """Add a good backup to ``backups.json`` in the backup directory (atomic rewrite)."""
    directory = ensure_dir(backup_dir())
    path = Path(path).resolve()
    when = (when or datetime.now(timezone.utc)).astimezone(timezone.utc)
    try:
        entry = {"time": when.isoformat(timespec="seconds"), "file": str(path), "size": size,
                 "sha256": sha256 or _sha256(path), "origin": origin}
        with _manifest_lock(directory):
            entries = (_read_manifest(directory) + [entry])[-MANIFEST_MAX:]
            fd, tmp = tempfile.mkstemp(prefix=f".{MANIFEST}.", dir=directory)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    json.dump({"backups": entries}, fh, indent=1)
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(tmp, directory / MANIFEST)
            finally:
                Path(tmp).unlink(missing_ok=True)
    except OSError as exc:
        raise BackupError(f"The backup {path} could not be recorded in "
                          f"{directory / MANIFEST}: {exc.strerror}.") from exc
    return entry


def last_good_backup() -> dict | None:
    """The newest entry of ``backups.json`` (time, file, size, sha256, origin), or None."""
    entries = _read_manifest(backup_dir())
    return entries[-1] if entries else None  # the history is appended in order


def backup_status(now: datetime | None = None) -> BackupStatus:
    """The last good backup, and whether there is none in the last 24 hours."""
    now = now or datetime.now(timezone.utc)
    last = last_good_backup()
    if last is None:
        return BackupStatus(None, None, True)
    try:
        when = datetime.fromisoformat(last["time"])
    except (TypeError, ValueError):
        return BackupStatus(None, None, True)
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return BackupStatus(last, when, now - when > STALE_AFTER)


def backup_to(path, *, origin: str, keep: int | None = None,
              now: datetime | None = None) -> tuple[BackupResult, list[Path]]:
    """Back up to a file, or into a folder under a dated name and then keep ``keep`` newest.

    ``path`` is a folder when it is one, ends with a slash, or is BACKUP_DIR (folders are
    made if missing). The good backup is recorded in the manifest; returns it and the
    rotated-away files.
    """
    ensure_dir(backup_dir())  # fail before the backup, not after, if it cannot be recorded
    text = str(path)
    target = Path(text)
    in_folder = (target.is_dir() or text.endswith(("/", os.sep))
                 or target.resolve() == backup_dir().resolve())
    if in_folder:
        target = dated_backup_path(ensure_dir(target), now)
    result = make_backup(target)
    record_backup(result.path, result.size, origin, sha256=result.sha256, when=now)
    removed = rotate(result.path.parent, keep) if in_folder and keep else []
    return result, removed


def scheduled_backup(now: datetime | None = None) -> BackupResult:
    """The daily job: a dated backup in BACKUP_DIR, recorded, keeping BACKUP_KEEP copies."""
    directory = ensure_dir(backup_dir())
    result, _removed = backup_to(directory, origin="scheduled",
                                 keep=int(current_app.config["BACKUP_KEEP"]), now=now)
    return result
