"""``importing.bulk_insert`` fills the columns the rows do not name as an ORM insert would."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from skillmap.extensions import db
from skillmap.models import Person
from skillmap.models.base import utcnow
from skillmap.services import importing

_calls = []


def _counted_now():
    _calls.append(1)
    return utcnow()


def _slug(ctx):
    """A default that reads the row being inserted (SQLAlchemy's context-sensitive form)."""
    return ctx.get_current_parameters()["name"].lower().replace(" ", "-")


@pytest.fixture
def scratch(app):
    meta = sa.MetaData()
    table = sa.Table(
        "bulk_scratch", meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50)),
        sa.Column("kind", sa.String(10), default="plain"),
        sa.Column("created_at", sa.DateTime(timezone=True), default=_counted_now),
        sa.Column("slug", sa.String(50), default=_slug),
        sa.Column("note", sa.String(10), server_default="srv"),
        sa.Column("seen_at", sa.DateTime(timezone=True), default=sa.func.now()),
    )
    meta.create_all(db.engine)
    _calls.clear()
    yield table
    db.session.rollback()
    meta.drop_all(db.engine)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def test_omitted_columns_get_their_python_side_defaults(scratch):
    before = utcnow() - timedelta(seconds=1)
    importing.bulk_insert(scratch, [{"name": "Ada Lovelace"}, {"name": "Alan Turing"}])
    rows = db.session.execute(sa.select(scratch).order_by(scratch.c.id)).mappings().all()
    assert [r["name"] for r in rows] == ["Ada Lovelace", "Alan Turing"]
    assert {r["kind"] for r in rows} == {"plain"}                 # scalar default
    assert [r["slug"] for r in rows] == ["ada-lovelace", "alan-turing"]  # takes the context
    assert len(_calls) == 2                                        # called once per row
    for r in rows:
        assert before <= _aware(r["created_at"]) <= utcnow() + timedelta(seconds=1)
        assert r["note"] == "srv"                                  # server default untouched
        assert r["seen_at"] is not None                            # SQL default untouched


def test_named_columns_keep_the_callers_values(scratch):
    when = datetime(2020, 5, 1, 12, 0, tzinfo=timezone.utc)
    importing.bulk_insert(scratch, [{"name": "X", "kind": "given", "created_at": when,
                                     "slug": "mine"}])
    row = db.session.execute(sa.select(scratch)).mappings().one()
    assert (row["kind"], row["slug"], _aware(row["created_at"])) == ("given", "mine", when)
    assert _calls == []


def test_rows_given_are_not_changed(scratch):
    rows = [{"name": "A"}]
    importing.bulk_insert(scratch, rows)
    assert rows == [{"name": "A"}]


def test_a_model_insert_gets_the_same_defaults_as_the_orm(org):
    """Person has callable (created_at, updated_at) and scalar defaults (languages...)."""
    importing.bulk_insert(Person.__table__, [{"organisation_id": org.id, "first_name": "Bulk",
                                              "last_name": "Row", "email": "b@x.test"}])
    db.session.add(Person(organisation_id=org.id, first_name="Orm", last_name="Row",
                          email="o@x.test"))
    db.session.flush()
    bulk, orm = (db.session.execute(sa.select(Person.__table__).where(
        Person.first_name == name)).mappings().one() for name in ("Bulk", "Orm"))
    for key in ("availability_hours", "languages", "visible_to_colleagues",
                "email_notifications", "retention_reason"):
        assert bulk[key] == orm[key], key
    assert bulk["created_at"] is not None and bulk["updated_at"] is not None
    assert abs(_aware(bulk["created_at"]) - _aware(orm["created_at"])) < timedelta(minutes=1)
