"""What every API call goes through: the bearer token, its scope, the audit trail, ETags
and cursors.

* the token comes from ``Authorization: Bearer ...`` only (never a cookie or the query
  string); unknown, expired and revoked tokens get 401, a read token that tries to write
  403;
* every call by a valid token leaves an ``api.called`` audit row (method, path, status,
  token); the people a call shows get one ``api.read`` row each
  (:func:`skillmap.services.audit.record_disclosures`), which they see under "who saw my
  data", with the admin who created the token as the one accountable;
* an ETag is the organisation's data version (:mod:`skillmap.services.versions`) with the
  URL: every change that could alter an answer bumps it, so a 304 is never stale;
* cursors are signed, opaque ``(resource, last id)`` pairs: walking pages by id never
  skips or repeats an item, whatever is added or removed meanwhile.
"""
from __future__ import annotations

import hashlib
import json

from flask import current_app, g, request
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.wrappers import Response

from skillmap.extensions import db
from skillmap.models import ApiToken
from skillmap.services import api_tokens, audit, versions
from skillmap.web.api import bp, problems

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
#: change it when an answer's shape changes, so that no client keeps an old ETag
ETAG_SALT = "v1"


class Problem(Exception):
    """Raised by a view: answered as problem details (the request's changes rolled back)."""

    def __init__(self, status: int, detail=None, **extra):
        super().__init__(status)
        self.status, self.detail, self.extra = status, detail, extra


def token_auth(view):
    """Mark an API view: the session's roles do not apply to it (no cookie is read); the
    blueprint's :func:`_authenticate` admits only a valid bearer token."""
    view.allowed_roles = "public"
    return view


def current_token() -> ApiToken:
    return g.api_token


def actor():
    """Whom a change made with the token is attributed to: the admin who created it."""
    return current_token().created_by


@bp.before_request
def _authenticate():
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    token = (api_tokens.authenticate(value.strip()) if scheme.lower() == "bearer" else None)
    if token is None:
        db.session.rollback()
        return problems.problem(401, _l("Send a valid API token as 'Authorization: Bearer "
                                        "<token>'. Tokens expire and can be revoked."),
                                headers={"WWW-Authenticate": 'Bearer realm="skillmap"'})
    g.api_token = token
    if request.method in WRITE_METHODS and token.scope != "write":
        return problems.problem(403, _l("This token can only read. An administrator can "
                                        "create a token that can write."))
    return None


@bp.after_request
def _audit_call(response: Response) -> Response:
    """One ``api.called`` row per call, committed with the call's disclosures."""
    token = g.get("api_token")
    if token is None:
        return response
    try:
        if response.status_code >= 400:
            db.session.rollback()
            g.pop("api_disclosed", None)
        token = db.session.merge(token)
        for person_ids, context in g.pop("api_disclosed", []):
            audit.record_disclosures(token.organisation_id, token.created_by_id, "api.read",
                                     person_ids, context=context)
        audit.record(token.organisation_id, token.created_by_id, "api.called",
                     detail=json.dumps({"token": token.id, "method": request.method,
                                        "path": request.full_path.rstrip("?"),
                                        "status": response.status_code}))
        api_tokens.touch(token)
        db.session.commit()
    except Exception:  # the answer stands; a broken session must not hide it
        db.session.rollback()
        current_app.logger.exception("could not audit an API call")
    return response


def disclose(person_ids, what: str) -> None:
    """The call shows these people's data: audit it (one row each) with the call."""
    token = current_token()
    ids = [int(i) for i in person_ids]
    if ids:
        context = json.dumps({"via": "api", "token": token.name, "what": what})
        g.setdefault("api_disclosed", []).append((ids, context))


# -------------------------------------------------------------------------- ETag, cursor

#: how the OpenAPI document describes the ETag of a read
ETAG_HEADER = {"ETag": {"description": "Send it back as If-None-Match: 304 while nothing "
                                       "changed.", "schema": {"type": "string"}}}


def etag(extra: str = "") -> str:
    """``extra``: what else the answer depends on (the day, for training statuses)."""
    version = versions.current(current_token().organisation_id)
    args = sorted(request.args.items(multi=True))
    raw = f"{ETAG_SALT}|{version}|{request.path}|{args}|{extra}"
    return '"' + hashlib.sha256(raw.encode()).hexdigest()[:32] + '"'


def etag_or_304(extra: str = "") -> tuple[str, Response | None]:
    """The answer's ETag, and a 304 when the caller's ``If-None-Match`` has it."""
    tag = etag(extra)
    if request.if_none_match and request.if_none_match.contains_weak(tag.strip('"')):
        resp = Response(status=304)
        resp.headers["ETag"] = tag
        return tag, resp
    return tag, None


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="api-cursor")


def cursor_for(resource: str, last_id: int) -> str:
    return _serializer().dumps([resource, current_token().organisation_id, int(last_id)])


def after_id(resource: str, cursor: str | None) -> int:
    """The last id of the previous page, or 0 for the first page; 400 for a bad cursor."""
    if not cursor:
        return 0
    try:
        kind, org, last = _serializer().loads(cursor)
    except (BadSignature, ValueError, TypeError):
        raise Problem(400, _l("This cursor is not valid: use the next_cursor of a page."),
                      field="cursor") from None
    if kind != resource or org != current_token().organisation_id or not isinstance(last, int):
        raise Problem(400, _l("This cursor is not valid: use the next_cursor of a page."),
                      field="cursor")
    return last


def page(query, model, resource: str, args: dict):
    """One page of ``query`` (a select of ``model``) in id order: (rows, next_cursor)."""
    limit = args["limit"]
    rows = list(db.session.scalars(
        query.where(model.id > after_id(resource, args.get("cursor")))
        .order_by(model.id).limit(limit + 1)).unique())
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (cursor_for(resource, rows[-1].id) if more else None)


def with_etag(payload, tag: str):
    """``(payload, 200, headers)`` for flask-smorest, with the ETag."""
    return payload, 200, {"ETag": tag}


def aware(moment):
    """A stored datetime with its UTC offset (SQLite hands them back without one)."""
    from datetime import timezone

    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment


def in_org(model, obj_id: int):
    """The row ``obj_id`` of the token's organisation, or a 404 problem."""
    obj = db.session.get(model, obj_id)
    if obj is None or getattr(obj, "organisation_id", None) != current_token().organisation_id:
        raise Problem(404, _l("There is no such item in your organisation."))
    return obj


# ------------------------------------------------------------------------------ errors

def _problem_handler(error: Problem):
    db.session.rollback()
    return problems.problem(error.status, error.detail, **error.extra)


def _http_handler(error):
    db.session.rollback()
    return problems.from_http_exception(error)


bp.register_error_handler(Problem, _problem_handler)
for _code in (400, 403, 404, 405, 409, 412, 415, 422):
    bp.register_error_handler(_code, _http_handler)
