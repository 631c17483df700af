"""Backups: a consistent copy while the app writes, checked restores, rotation, the history.

The source and the restore target are scratch databases built by the real migrations
(PostgreSQL ``<test db>_bksrc`` / ``_bkdst`` when SKILLMAP_TEST_DATABASE_URL is set).
"""
from __future__ import annotations

import json
import os
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from babel.dates import format_datetime

from skillmap import create_app
from skillmap.extensions import db
from skillmap.models import (Organisation, Person, PersonSkill, Skill, SkillArea, SkillChange,
                             User)
from skillmap.services import backup, profiles
from tests.conftest import scratch_database_url

N_PEOPLE, N_SKILLS = 12, 30


def _make_app(url: str, tmp: Path):
    return create_app({"TESTING": True, "SECRET_KEY": "t", "SQLALCHEMY_DATABASE_URI": url,
                       "BACKUP_DIR": str(tmp / "backups"), "BACKUP_KEEP": 3})


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """A migrated database with one cooperative: people, skills, one manager account."""
    from flask_migrate import upgrade

    tmp = tmp_path_factory.mktemp("bksrc")
    app = _make_app(scratch_database_url("bksrc", tmp), tmp)
    with app.app_context():
        upgrade()
        org = Organisation(name="Cooperativa Backup")
        db.session.add(org)
        db.session.flush()
        area = SkillArea(organisation_id=org.id, code="A", name_it="Area", name_en="Area")
        db.session.add(area)
        db.session.flush()
        db.session.add_all(Skill(organisation_id=org.id, area_id=area.id, code=f"S{i}",
                                 name_it=f"Abilità {i}", name_en=f"Skill {i}")
                           for i in range(N_SKILLS))
        people = [Person(organisation_id=org.id, first_name=f"Nome{i}", last_name="Prova",
                         email=f"p{i}@bk.coop", job_title="Educatore") for i in range(N_PEOPLE)]
        db.session.add_all(people)
        user = User(organisation_id=org.id, email="hr@bk.coop", role="manager",
                    person=people[0])
        user.set_password("correct horse battery")
        db.session.add(user)
        db.session.commit()
        db.engine.dispose()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def target(tmp_path):
    """An empty database to restore into (the restore migrates it)."""
    app = _make_app(scratch_database_url("bkdst", tmp_path), tmp_path)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def good_backup(source, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("bkfile") / "good.bak"
    with source.app_context():
        backup.make_backup(path)
    return path


def _kind(app) -> str:
    return sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name()


class Writer(threading.Thread):
    """Saves skills through the profile service, one commit each, as employees would;
    ``acks`` lists (person_skill id, version) in the order the saves were acknowledged."""

    def __init__(self, app):
        super().__init__(daemon=True)
        self.app, self.acks, self.errors = app, [], []
        self.stop = threading.Event()

    def run(self):
        with self.app.app_context():
            try:
                self._write()
            except Exception as exc:  # reported by the test, not swallowed
                self.errors.append(exc)
            finally:
                db.session.remove()

    def _write(self):
        actor = db.session.scalar(sa.select(User))
        people = db.session.scalars(sa.select(Person).order_by(Person.id)).all()
        skills = db.session.scalars(sa.select(Skill.id).order_by(Skill.id)).all()
        held = set(db.session.execute(sa.select(PersonSkill.person_id, PersonSkill.skill_id)))
        pairs = [(p, s) for s in skills for p in people if (p.id, s) not in held]
        added: list[int] = list(db.session.scalars(sa.select(PersonSkill.id)))
        i = 0
        while not self.stop.is_set():
            if i % 3 != 2 and pairs:  # two adds, then one change of level
                person, skill_id = pairs.pop(0)
                ps = profiles.add_skill(person, skill_id, profiles.SkillData(level=1),
                                        actor=actor)
                added.append(ps.id)
            else:
                ps = db.session.get(PersonSkill, added[(i * 7) % len(added)])
                profiles.update_skill(ps, ps.version,
                                      profiles.SkillData(level=ps.level % 5 + 1), actor=actor)
            db.session.commit()
            self.acks.append((ps.id, ps.version))
            i += 1


def test_backup_while_writing_keeps_every_acknowledged_save(source, target, tmp_path):
    path = tmp_path / "live.bak"
    writer = Writer(source)
    writer.start()
    deadline = time.monotonic() + 60
    while len(writer.acks) < 60 and time.monotonic() < deadline and not writer.errors:
        time.sleep(0.01)
    before = len(writer.acks)  # every one of these was committed before the backup began
    with source.app_context():
        result = backup.make_backup(path)
    during = len(writer.acks) - before
    time.sleep(0.3)  # the app keeps writing after the backup too
    writer.stop.set()
    writer.join(30)
    assert not writer.errors, writer.errors
    assert before >= 60

    assert oct(os.stat(path).st_mode & 0o777) == "0o600"
    assert result.size == path.stat().st_size > 0

    restored = backup.restore_backup(path)
    assert restored.revision_after is not None
    versions = dict(db.session.execute(sa.select(PersonSkill.id, PersonSkill.version)).all())
    missing = [(ps_id, v) for ps_id, v in writer.acks[:before]
               if versions.get(ps_id, -1) < v]
    print(f"\n[{_kind(source)}] acknowledged before the backup: {before}, during it: {during}, "
          f"after: {len(writer.acks) - before - during}; restored rows: {len(versions)}; "
          f"acknowledged saves missing after restore: {len(missing)}")
    assert missing == []
    # one snapshot, not a torn copy: the restored rows are exactly the state after the first
    # k saves, k being the number of history rows (each save writes one SkillChange)
    k = db.session.scalar(sa.select(sa.func.count(SkillChange.id)))
    assert before <= k <= len(writer.acks)
    assert versions == dict(writer.acks[:k])


def test_restore_refuses_a_database_with_data_unless_forced(good_backup, target):
    backup.restore_backup(good_backup)
    person = db.session.scalar(sa.select(Person).order_by(Person.id))
    person.first_name = "Cambiato dopo il ripristino"
    db.session.commit()
    with pytest.raises(backup.DatabaseNotEmpty, match="--force"):
        backup.restore_backup(good_backup)
    db.session.expire_all()
    assert db.session.get(Person, person.id).first_name == "Cambiato dopo il ripristino"

    backup.restore_backup(good_backup, force=True)
    assert db.session.get(Person, person.id).first_name == "Nome0"
    assert db.session.scalar(sa.select(sa.func.count(Person.id))) == N_PEOPLE


def _damaged(good: Path, how: str, tmp: Path) -> Path:
    data = good.read_bytes()
    path = tmp / f"{how}.bak"
    if how == "text":
        path.write_text("nome,livello\nAnna,3\n", encoding="utf-8")
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif how == "garbled":  # the middle third overwritten, the header intact
        third = len(data) // 3
        path.write_bytes(data[:third] + bytes((i * 37 + 11) % 256 for i in range(third))
                         + data[2 * third:])
    elif how == "missing":
        pass
    return path


@pytest.mark.parametrize("how,message", [
    ("missing", "no such file"),
    ("text", "not a SkillMap backup"),
    ("empty", "not a SkillMap backup"),
    ("truncated", None),
    ("garbled", None),
])
def test_damaged_or_foreign_files_are_refused_and_nothing_changes(good_backup, target,
                                                                  tmp_path, how, message):
    path = _damaged(good_backup, how, tmp_path)
    with pytest.raises(backup.NotABackup, match=message) as err:
        backup.restore_backup(path, force=True)
    assert str(path) in str(err.value)
    assert sa.inspect(db.engine).get_table_names() == []  # the target was not touched


def test_a_plain_database_without_migrations_is_not_a_backup(target, tmp_path):
    import sqlite3

    path = tmp_path / "other.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE person (id INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()
    expected = (backup.NotABackup, "no migration revision") if _kind(target) == "sqlite" \
        else (backup.WrongKind, "SQLite backup")
    with pytest.raises(expected[0], match=expected[1]):
        backup.restore_backup(path)


def test_a_backup_of_the_other_database_kind_is_refused(target, tmp_path):
    other = "postgresql" if _kind(target) == "sqlite" else "sqlite"
    path = tmp_path / "other-kind.bak"
    path.write_bytes((backup.PGDUMP_MAGIC if other == "postgresql" else backup.SQLITE_MAGIC)
                     + b"\0" * 4096)
    with pytest.raises(backup.WrongKind,
                       match=f"{backup.KIND_NAMES[other]} backup but the configured database "
                             f"is {backup.KIND_NAMES[_kind(target)]}"):
        backup.restore_backup(path)


def test_a_database_not_built_by_migrations_cannot_be_backed_up(app, tmp_path):
    """The conftest database is made by create_all: it has no migration revision."""
    with pytest.raises(backup.BackupError, match="no migration revision"):
        backup.make_backup(tmp_path / "x.bak")
    assert list(tmp_path.iterdir()) == []  # no half-written file left behind


# -- rotation and the scheduled backup ------------------------------------------------------

def test_rotation_keeps_the_newest_dated_backups_only(tmp_path):
    start = datetime(2025, 1, 1, 2, 0, tzinfo=timezone.utc)
    names = [f"skillmap-{start + timedelta(days=d):%Y%m%d-%H%M%S}.{'dump' if d % 2 else 'sqlite'}"
             for d in range(20)]
    for name in names:
        (tmp_path / name).write_bytes(b"x")
    for other in ("notes.txt", "skillmap-latest.sqlite", "backups.json"):
        (tmp_path / other).write_text("keep me")
    removed = backup.rotate(tmp_path, 5)
    assert sorted(p.name for p in removed) == sorted(names[:15])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        names[15:] + ["notes.txt", "skillmap-latest.sqlite", "backups.json"])


def test_rotation_refuses_to_keep_nothing(tmp_path):
    with pytest.raises(backup.BackupError):
        backup.rotate(tmp_path, 0)


def test_scheduled_backup_keeps_the_configured_number_and_records_each(source):
    with source.app_context():
        directory = Path(source.config["BACKUP_DIR"])
        start = datetime(2025, 3, 1, 1, 30, tzinfo=timezone.utc)
        made = [backup.scheduled_backup(now=start + timedelta(days=d)) for d in range(5)]
        kept = sorted(p.name for p in directory.iterdir() if backup.NAME_RE.match(p.name))
        assert kept == sorted(r.path.name for r in made[-3:])  # BACKUP_KEEP = 3
        assert all(oct((directory / n).stat().st_mode & 0o777) == "0o600" for n in kept)
        entries = json.loads((directory / "backups.json").read_text())["backups"]
        assert [e["file"] for e in entries[-5:]] == [str(r.path) for r in made]
        assert {e["origin"] for e in entries[-5:]} == {"scheduled"}
        last = backup.last_good_backup()
        assert last["file"] == str(made[-1].path) and last["sha256"] == made[-1].sha256
        assert last["size"] == made[-1].path.stat().st_size


def test_backup_settings_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SKILLMAP_DATABASE_URL", f"sqlite:///{tmp_path}/x.sqlite")
    assert create_app().config["BACKUP_DIR"].endswith(os.path.join("instance", "backups"))
    monkeypatch.setenv("SKILLMAP_BACKUP_DIR", str(tmp_path / "elsewhere"))
    monkeypatch.setenv("SKILLMAP_BACKUP_KEEP", "30")
    app = create_app()
    assert (app.config["BACKUP_DIR"], app.config["BACKUP_KEEP"]) == (
        str(tmp_path / "elsewhere"), 30)
    monkeypatch.setenv("SKILLMAP_BACKUP_KEEP", "0")
    with pytest.raises(RuntimeError, match="SKILLMAP_BACKUP_KEEP"):
        create_app()


def test_missing_postgresql_tools_are_named(monkeypatch):
    monkeypatch.setattr(backup.shutil, "which", lambda name: None)
    monkeypatch.setattr(backup.glob, "glob", lambda pattern: [])
    with pytest.raises(backup.ToolMissing, match="pg_dump was not found.*postgresql-client"):
        backup.pg_tool("pg_dump")


def test_postgresql_tools_are_found_outside_path(monkeypatch):
    monkeypatch.setattr(backup.shutil, "which", lambda name: None)
    monkeypatch.setattr(backup.glob, "glob", lambda pattern: [
        pattern.replace("*", v) for v in ("9", "16", "15")])
    assert backup.pg_tool("pg_restore") == "/usr/lib/postgresql/16/bin/pg_restore"


# -- the commands ---------------------------------------------------------------------------

def test_backup_command_into_a_folder_names_rotates_and_records(source, tmp_path):
    folder = tmp_path / "nightly"
    folder.mkdir()
    ext = backup.EXTENSIONS[_kind(source)]
    old = [folder / f"skillmap-2024010{d}-000000{ext}" for d in range(1, 4)]
    for path in old:
        path.write_bytes(b"old")
    result = source.test_cli_runner().invoke(args=["backup", str(folder), "--keep", "2"])
    assert result.exit_code == 0, result.output
    assert "Backup written" in result.output
    left = sorted(p.name for p in folder.iterdir())
    assert len(left) == 2 and left[0] == old[-1].name and left[1] != old[-1].name
    assert f"Removed old backup {old[0].name}" in result.output
    with source.app_context():
        assert backup.last_good_backup()["file"] == str(folder / left[1])
        assert backup.last_good_backup()["origin"] == "cli"


def test_restore_command_round_trip(good_backup, target):
    runner = target.test_cli_runner()
    result = runner.invoke(args=["restore", str(good_backup)])
    assert result.exit_code == 0, result.output
    assert "Restored" in result.output
    assert db.session.scalar(sa.select(sa.func.count(Person.id))) == N_PEOPLE
    again = runner.invoke(args=["restore", str(good_backup)])
    assert again.exit_code == 1 and "--force" in again.output
    assert runner.invoke(args=["restore", str(good_backup), "--force"]).exit_code == 0


@pytest.mark.parametrize("args,message", [
    (["restore", "{tmp}/nope.bak"], "no such file"),
    (["restore", "{tmp}/notes.txt"], "not a SkillMap backup"),
    (["restore", "{tmp}/foreign.bak"], "backup but the configured database is"),
    (["restore", "{tmp}"], "is not a file"),
    (["backup", "{tmp}/missing-folder/x.bak"], "does not exist"),
    (["backup", "{tmp}", "--keep", "0"], "0"),
])
def test_commands_refuse_bad_arguments_with_a_message(target, tmp_path, args, message):
    (tmp_path / "notes.txt").write_text("not a backup")
    foreign = backup.PGDUMP_MAGIC if _kind(target) == "sqlite" else backup.SQLITE_MAGIC
    (tmp_path / "foreign.bak").write_bytes(foreign + b"\0" * 100)
    result = target.test_cli_runner().invoke(args=[a.format(tmp=tmp_path) for a in args])
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


# -- the admin home -------------------------------------------------------------------------

@pytest.mark.parametrize("age_hours,warned", [(None, True), (2, False), (30, True)])
def test_admin_home_shows_the_last_good_backup(app, users, auth, client, tmp_path,
                                               age_hours, warned):
    app.config["BACKUP_DIR"] = str(tmp_path)
    when = None
    if age_hours is not None:
        when = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(hours=age_hours)
        file = tmp_path / "skillmap-x.sqlite"
        file.write_bytes(b"backup")
        backup.record_backup(file, 6, "scheduled", when=when)
    auth.login("admin")
    html = client.get("/").get_data(as_text=True)
    assert "Ultimo backup riuscito" in html
    assert ("Nessun backup nelle ultime 24 ore" in html) is warned
    if when is None:
        assert "Ultimo backup riuscito: mai" in html
    else:
        local = format_datetime(when, "medium", tzinfo=ZoneInfo("Europe/Rome"), locale="it")
        assert local in html
