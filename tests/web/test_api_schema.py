"""schemathesis against the live app (in-process WSGI): every operation of the OpenAPI
document, with data that fits the schema and data that does not, called with a read
token and with a write token. Checked on every answer: no server error, a documented
status code, a documented content type, documented headers, and a body valid against the
documented schema (``response_schema_conformance``)."""
from __future__ import annotations

from datetime import date

import pytest
import schemathesis
from flask.globals import _cv_app
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from skillmap.extensions import db
from skillmap.models import (
    Person,
    PersonSkill,
    Project,
    ProjectRequirement,
    TeamMember,
    TrainingCourse,
    TrainingRecord,
)
from skillmap.services import api_tokens

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]
#: examples per operation, mode and token: 17 operations x 2 modes x 2 tokens x 6 = 408 calls
EXAMPLES = 6


def _isolated(app):
    """Each call in its own app context (its own ``g`` and session), as in production."""
    def wsgi(environ, start_response):
        token = _cv_app.set(None)
        try:
            return app(environ, start_response)
        finally:
            _cv_app.reset(token)
            db.session.expire_all()
    return wsgi


@pytest.fixture
def tokens(app, users, taxonomy):
    org = users["admin"].organisation_id
    anna = users["employee"].person
    db.session.add(PersonSkill(person_id=anna.id, skill_id=taxonomy["ICT-PY"].id, level=3))
    ended = Person(organisation_id=org, first_name="Elio", last_name="Ex",
                   end_date=date(2020, 1, 31))
    project = Project(organisation_id=org, title="Sportello digitale", status="staffing")
    db.session.add_all([ended, project])
    db.session.flush()
    db.session.add_all([
        ProjectRequirement(project_id=project.id, skill_id=taxonomy["ICT-SQL"].id, min_level=3),
        TeamMember(project_id=project.id, person_id=anna.id, status="invited")])
    course = TrainingCourse(organisation_id=org, code="PS-BC", name_it="Primo soccorso",
                            name_en="First aid", hours_first=12, validity_months=36,
                            safety_role="first_aid", skill_id=taxonomy["CARE-FIRST"].id)
    db.session.add(course)
    db.session.flush()
    db.session.add(TrainingRecord(organisation_id=org, person_id=anna.id, course_id=course.id,
                                  completed_on=date(2024, 5, 2), expires_on=date(2027, 5, 2),
                                  hours=12))
    read, read_clear = api_tokens.create_token(org, "schemathesis read", "read",
                                               expires_days=1, actor=users["admin"])
    write, write_clear = api_tokens.create_token(org, "schemathesis write", "write",
                                                 expires_days=None, actor=users["admin"])
    db.session.commit()
    return {"read": read_clear, "write": write_clear}


def _run(operation, mode, headers: dict, calls: dict) -> None:
    """EXAMPLES calls of ``operation`` with generated data, each answer checked."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case):
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        calls["count"] += 1
        calls["statuses"].add(response.status_code)

    run()


@pytest.mark.slow
def test_every_operation_answers_within_its_schema(app, tokens):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", _isolated(app))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 17
    calls = {"count": 0, "statuses": set()}
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            for clear in tokens.values():
                _run(operation, mode, {"Authorization": f"Bearer {clear}",
                                       "Accept-Language": "it"}, calls)
    assert calls["count"] >= len(operations) * 2 * EXAMPLES
    # the run reached real answers, not only refusals
    assert {200, 404, 422} <= calls["statuses"], calls["statuses"]
