"""The data protection officer's audit viewer: filters and an Italian CSV."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from skillmap.extensions import db
from skillmap.models import AuditEvent
from skillmap.services import audit


@pytest.fixture
def trail(org, users):
    anna, bruno = users["employee"].person_id, users["coordinator"].person_id
    rows = [("manager", "profile.viewed", anna, "", datetime(2026, 3, 1, 9, tzinfo=timezone.utc)),
            ("manager", "people.listed", bruno, "", datetime(2026, 3, 2, 9, tzinfo=timezone.utc)),
            ("coordinator", "skill.confirmed", anna, "=HYPERLINK(\"http://x\")",
             datetime(2026, 3, 5, 9, tzinfo=timezone.utc))]
    for role, action, subject, detail, when in rows:
        db.session.add(AuditEvent(organisation_id=org.id, actor_id=users[role].id, action=action,
                                  subject_person_id=subject, detail=detail, created_at=when))
    db.session.commit()
    return rows


@pytest.mark.parametrize("role,status", [("employee", 403), ("coordinator", 403),
                                         ("manager", 403), ("admin", 200)])
def test_only_admins_open_the_audit_trail(client, auth, trail, role, status):
    auth.login(role)
    assert client.get("/admin/audit").status_code == status
    assert client.get("/admin/audit.csv").status_code == status


@pytest.mark.parametrize("query,expected", [
    (lambda u: {}, 3),
    (lambda u: {"person": u["employee"].person_id}, 2),
    (lambda u: {"actor": u["manager"].id}, 2),
    (lambda u: {"kind": "people.listed"}, 1),
    (lambda u: {"date_from": "2026-03-02", "date_to": "2026-03-02"}, 1),
    (lambda u: {"person": u["employee"].person_id, "actor": u["coordinator"].id}, 1),
])
def test_filters_by_person_actor_kind_and_date(client, auth, trail, users, query, expected):
    auth.login("admin")
    html = client.get("/admin/audit", query_string=query(users)).get_data(as_text=True)
    assert html.count("<code>") == expected


def test_bad_dates_get_a_message_not_an_error(client, auth, trail):
    auth.login("admin")
    resp = client.get("/admin/audit?date_from=2026-03-05&date_to=2026-03-01")
    assert resp.status_code == 200
    assert "La data di fine viene prima di quella di inizio." in resp.get_data(as_text=True)
    resp = client.get("/admin/audit?date_from=yesterday")
    assert resp.status_code == 200 and "<code>" not in resp.get_data(as_text=True)


def test_csv_is_italian_guarded_and_audited(client, auth, trail, users):
    auth.login("admin")
    resp = client.get(f"/admin/audit.csv?person={users['employee'].person_id}")
    assert resp.status_code == 200 and resp.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(resp.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Quando (UTC)" and len(rows) == 3
    assert {r[4] for r in rows[1:]} == {"Anna Rossi"}
    assert any(r[5] == "'=HYPERLINK(\"http://x\")" for r in rows[1:])   # formula defused
    exported = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "audit.exported")).all()
    assert [(e.actor_id, e.subject_person_id) for e in exported] == [
        (users["admin"].id, users["employee"].person_id)]


def test_record_disclosures_writes_one_row_per_person_in_one_statement(app, org, users):
    ids = [users[r].person_id for r in ("employee", "coordinator", "employee", "admin")]
    statements = []

    def seen(conn, cursor, statement, *rest):
        if "INSERT" in statement:
            statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", seen)
    try:
        n = audit.record_disclosures(org.id, users["admin"].id, "people.listed", ids,
                                     skip_person_id=users["admin"].person_id)
        db.session.commit()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", seen)
    assert n == 2
    assert len([s for s in statements if "audit_event" in s]) == 1
