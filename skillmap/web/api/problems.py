"""Errors of the HR API as problem details (RFC 9457, ``application/problem+json``).

Titles and details are in the caller's language (``Accept-Language``: Italian or English).
Every error response under ``/api/v1/`` becomes a problem: the API's own (validation,
scopes, conflicts) carry their details; any other (a 404 of the router, a 405, a 400 for
control characters, a 500, the 503 of an outage) is converted by :func:`convert` after
the app's own handler ran, so no HTML page reaches an API client.
"""
from __future__ import annotations

import json

from flask import Response, current_app, request
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from werkzeug.http import HTTP_STATUS_CODES

PROBLEM_TYPE = "application/problem+json"
#: the prefix of every API URL (the reference page below it is a normal page)
PREFIX = "/api/v1/"
DOCS_PATH = "/api/v1/docs"

TITLES = {
    400: _l("The request is not valid."),
    401: _l("A valid API token is needed."),
    403: _l("This token may not do this."),
    404: _l("Not found."),
    405: _l("This method is not allowed here."),
    406: _l("The API answers in JSON only."),
    409: _l("The data changed in the meantime."),
    412: _l("The resource changed since you read it."),
    413: _l("The request is too large."),
    415: _l("Send the data as JSON."),
    422: _l("Some values are not valid."),
    429: _l("Too many requests."),
    500: _l("Something went wrong on the server."),
    503: _l("SkillMap is not available right now."),
}

#: the fixed messages of marshmallow's fields, so that they reach the catalogue
FIELD_MESSAGES = {
    "Missing data for required field.": _l("Missing data for required field."),
    "Field may not be null.": _l("Field may not be null."),
    "Unknown field.": _l("Unknown field."),
    "Invalid input type.": _l("Invalid input type."),
    "Not a valid integer.": _l("Not a valid integer."),
    "Not a valid string.": _l("Not a valid string."),
    "Not a valid boolean.": _l("Not a valid boolean."),
    "Not a valid date.": _l("Not a valid date."),
    "Not a valid datetime.": _l("Not a valid datetime."),
    "Not a valid email address.": _l("Not a valid email address."),
    "Not a valid number.": _l("Not a valid number."),
    "Invalid value.": _l("Invalid value."),
}


def is_api_request() -> bool:
    """Whether this request is a call of the API (not its reference page)."""
    path = request.path
    return path.startswith(PREFIX) and path != DOCS_PATH


def problem(status: int, detail=None, *, title=None, headers: dict | None = None,
            **extra) -> Response:
    """A problem details response; ``detail`` and ``title`` may be lazy strings."""
    body = {"type": "about:blank", "title": str(title or TITLES.get(status)
                                                 or HTTP_STATUS_CODES.get(status, "Error")),
            "status": status}
    if detail:
        body["detail"] = str(detail)
    body.update(extra)
    resp = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_TYPE)
    resp.headers["Content-Language"] = str(_locale())
    for key, value in (headers or {}).items():
        resp.headers[key] = value
    return resp


def _locale():
    from flask_babel import get_locale

    return get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"]


def translate_errors(errors):
    """marshmallow's error messages (nested dicts and lists) in the caller's language."""
    if isinstance(errors, dict):
        return {str(k): translate_errors(v) for k, v in errors.items()}
    if isinstance(errors, (list, tuple)):
        return [translate_errors(v) for v in errors]
    text = str(errors)
    return gettext(text) if text in FIELD_MESSAGES else text


def from_http_exception(error) -> Response:
    """An ``HTTPException`` raised in an API view (webargs' 422 carries ``data``)."""
    status = getattr(error, "code", None) or 500
    data = getattr(error, "data", None) or {}
    extra = {}
    messages = data.get("errors") or data.get("messages")
    if messages:
        # webargs nests by location: {"json": {...}} or {"query": {...}}
        if isinstance(messages, dict) and set(messages) <= {"json", "query", "headers",
                                                               "view_args", "form", "files"}:
            flat = {}
            for part in messages.values():
                flat.update(part if isinstance(part, dict) else {"_schema": part})
            messages = flat
        extra["errors"] = translate_errors(messages)
    headers = dict(data.get("headers") or {})
    if status == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    return problem(status, data.get("message"), headers=headers, **extra)


def convert(response: Response) -> Response:
    """after_request: an error response of an API URL that is not a problem becomes one."""
    if (not is_api_request() or response.status_code < 400
            or response.mimetype == PROBLEM_TYPE):
        return response
    headers = {k: v for k, v in response.headers.items() if k in ("Allow", "Retry-After",
                                                                  "WWW-Authenticate")}
    return problem(response.status_code, headers=headers)
