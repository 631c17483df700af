"""Erasure reaches the disk, the audit trail and the text the person wrote."""
from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from skillmap.extensions import db
from skillmap.models import (AuditEvent, ErasureRequest, Person, PersonSkill, Project,
                             SkillProposal, User)
from skillmap.services import privacy, profiles
from tests.conftest import PASSWORD

SURNAME = "Zanzibarowska"
EMAIL = "ghita.zanzibarowska@posta.example"
IDEA = "Orto idroponico di Ghita sul tetto"


@pytest.fixture
def ghita(org, users, taxonomy):
    """A person with an account, skills, a confirmed level, a proposal and a project idea."""
    person = Person(organisation_id=org.id, first_name="Ghita", last_name=SURNAME, email=EMAIL,
                    unit_id=users["employee"].person.unit_id, job_title="Educatrice")
    user = User(organisation_id=org.id, email=EMAIL, role="employee", person=person)
    user.set_password(PASSWORD)
    db.session.add_all([person, user])
    db.session.flush()
    ps = PersonSkill(person_id=person.id, skill_id=taxonomy["ICT-PY"].id, level=3)
    db.session.add_all([ps,
                        SkillProposal(organisation_id=org.id, proposed_by_id=user.id,
                                      name="Permacultura", description=f"{IDEA}, scritto da me"),
                        Project(organisation_id=org.id, title=IDEA, description=IDEA,
                                status="idea", proposed_by_id=user.id)])
    db.session.commit()
    profiles.confirm_level(ps, 3, f"visto da {SURNAME}", actor=users["coordinator"])
    profiles.record_view(users["manager"], person)
    return person


def _erase(ghita, users):
    req = privacy.request_erasure(ghita, actor=users["admin"])
    privacy.carry_out_erasure(req, actor=users["admin"])
    return req


def test_sqlite_files_hold_no_trace_of_the_erased_person(app, ghita, users):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the files checked are SQLite's")
    path = Path(db.engine.url.database)
    files = [path, Path(f"{path}-wal")]
    before = b"".join(f.read_bytes() for f in files if f.exists())
    assert SURNAME.encode() in before          # the test can fail: the name is on disk now
    _erase(ghita, users)
    for f in files:
        if f.exists():
            data = f.read_bytes()
            assert SURNAME.encode() not in data, f.name
            assert EMAIL.encode() not in data, f.name
            assert IDEA.encode() not in data, f.name
    assert Path(f"{path}-wal").stat().st_size == 0   # checkpointed and truncated


def test_audit_rows_keep_no_detail_and_free_text_is_gone(app, ghita, users, taxonomy):
    db.session.add(AuditEvent(organisation_id=ghita.organisation_id,
                              actor_id=users["coordinator"].id, action="skill.confirmed",
                              subject_person_id=ghita.id,
                              detail=f"skill {taxonomy['ICT-PY'].id}: level 3, confirmed 3"))
    db.session.commit()
    req = _erase(ghita, users)
    about = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.subject_ref != "")).all()
    assert {e.action for e in about} >= {"skill.confirmed", "profile.viewed", "person.erased"}
    assert {(e.subject_ref, e.detail, e.subject_person_id) for e in about} == {
        ("erased", "", None)}
    assert db.session.get(ErasureRequest, req.id).pseudonym == "erased"
    assert db.session.scalar(sa.select(sa.func.count(Project.id)).where(
        Project.title == IDEA)) == 0
    assert db.session.scalar(sa.select(sa.func.count(SkillProposal.id))) == 0
