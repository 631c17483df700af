"""Services flush and never commit, so an import can compose them in one transaction.

The request, the command or the job that calls them commits once; when it fails before
its commit, nothing of what the services did is written (audit trail included).
"""
from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from skillmap.extensions import db
from skillmap.models import AuditEvent, Person, PersonSkill, SkillChange, User
from skillmap.services import accounts, people, profiles

SERVICES = Path(__file__).resolve().parents[2] / "skillmap" / "services"
#: the services that only flush; the callers (views, commands, tasks, jobs) commit
FLUSH_ONLY = ("profiles", "projects", "teams", "proposals", "role_targets", "taxonomy",
              "accounts", "invitations", "demo", "api_tokens", "importing", "people_import",
              "tabular", "sso", "export_tables", "taxonomy_admin", "skill_merge",
              "training", "training_catalogue", "training_status", "training_exports",
              "project_training", "training_plan", "training_import", "kept_forms")


class ImportFailed(Exception):
    """A later row of an import is refused after the first rows were handled."""


def _compose(users, taxonomy):
    """One import row: two skills for Anna, a new person with a login account."""
    anna = users["employee"]
    admin = users["admin"]
    profiles.add_skill(anna.person, taxonomy["ICT-PY"].id, profiles.SkillData(level=3),
                       actor=anna)
    profiles.add_skill(anna.person, taxonomy["ICT-SQL"].id,
                       profiles.SkillData(level=0, wants_to_grow=True), actor=anna)
    person = people.create_person(anna.organisation_id, people.PersonData(
        first_name="Giulia", last_name="Gialli", email="giulia@test.coop"), actor=admin)
    accounts.create_user(anna.organisation, "giulia@test.coop", "prato-fiorito-2026", "employee",
                         person=person, actor_id=admin.id)


def _written(anna_person_id: int) -> dict:
    """What the database holds, read on a connection of its own (not this session)."""
    with db.engine.connect() as conn:
        return {
            "skills": conn.scalar(sa.select(sa.func.count(PersonSkill.id))
                                  .where(PersonSkill.person_id == anna_person_id)),
            "history": conn.scalar(sa.select(sa.func.count(SkillChange.id))
                                   .where(SkillChange.person_id == anna_person_id)),
            "person": conn.scalar(sa.select(sa.func.count(Person.id))
                                  .where(Person.email == "giulia@test.coop")),
            "account": conn.scalar(sa.select(sa.func.count(User.id))
                                   .where(User.email == "giulia@test.coop")),
            "audit": conn.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
                AuditEvent.action.in_(("person.created", "account.created")))),
        }


def test_a_failed_import_writes_nothing_of_the_services_it_called(app, users, taxonomy):
    anna_id = users["employee"].person_id
    with pytest.raises(ImportFailed):
        try:
            _compose(users, taxonomy)
            raise ImportFailed("row 3: unknown unit")
        except ImportFailed:
            db.session.rollback()
            raise
    assert _written(anna_id) == {"skills": 0, "history": 0, "person": 0, "account": 0,
                                 "audit": 0}


def test_the_same_services_committed_once_write_everything(app, users, taxonomy):
    anna_id = users["employee"].person_id
    _compose(users, taxonomy)
    assert _written(anna_id)["skills"] == 0  # flushed, not committed: others see nothing yet
    db.session.commit()
    assert _written(anna_id) == {"skills": 2, "history": 2, "person": 1, "account": 1,
                                 "audit": 2}


@pytest.mark.parametrize("module", FLUSH_ONLY)
def test_flush_only_services_never_commit(module):
    source = (SERVICES / f"{module}.py").read_text(encoding="utf-8")
    assert "db.session.commit(" not in source, (
        f"skillmap/services/{module}.py commits: flush there, and commit in the view, "
        "the command or the job that calls it")
    assert "record_now(" not in source, f"skillmap/services/{module}.py commits an audit event"
