"""The HR API, ``/api/v1/``: bearer tokens, JSON, problem details, generated OpenAPI.

* :mod:`.calls`: the token check, scopes, audit of every call, ETags and cursors;
* :mod:`.people`, :mod:`.catalogue`, :mod:`.training`: the resources (people and their
  skills; units, taxonomy and projects; the training catalogue and records);
* :mod:`.schemas`: marshmallow schemas, from which flask-smorest writes the OpenAPI 3.1
  document (``/api/v1/openapi.json``); :mod:`.docs` renders it as the reference page.

A new resource is one more module that adds routes to
:data:`bp` with ``@bp.response``/``@bp.arguments``, pages with :func:`.calls.page`, calls
:func:`.calls.disclose` for the people it shows and :func:`.calls.etag_or_304` for its ETag,
and is imported in :func:`init_app`; its model must be in
:data:`skillmap.services.versions.WATCHED` (its changes then move the data version, which
is what keeps the ETags honest). Nothing else changes: tokens, audit, problems, the OpenAPI
document, the reference page and the schemathesis run pick it up by themselves.

Requests under ``/api/v1/`` have no session: a cookie neither signs anybody in nor is
set (see :class:`SessionlessApi`); there is no CSRF token because nothing authenticates
by cookie. Every error is a problem details document (:mod:`.problems`).
"""
from __future__ import annotations

from flask import Flask, g, request
from flask.sessions import SecureCookieSessionInterface
from flask_smorest import Api, Blueprint
from flask_smorest.utils import prepare_response

from skillmap.web.api import problems
from skillmap.web.api.schemas import ProblemSchema

bp = Blueprint("api", __name__, url_prefix="/api/v1",
               description="SkillMap's HR API: people and their skills, units, taxonomy, "
                           "projects, training courses and records.")


class SkillMapApi(Api):
    """flask-smorest's Api, with problem details instead of its own error payload, and
    without its app-wide error handler (the pages keep theirs)."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self):
        pass

    def _register_responses(self):
        import http

        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, problems.PROBLEM_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "An error, as problem details (RFC 9457), in the "
                                   "language of Accept-Language.",
                    "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, problems.PROBLEM_TYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


api = SkillMapApi()


class SessionlessApi(SecureCookieSessionInterface):
    """No session for API calls: cookies are neither read nor written."""

    def open_session(self, app, request_):
        if request_.path.startswith(problems.PREFIX) and request_.path != problems.DOCS_PATH:
            return None  # Flask uses a null session, which is never saved
        return super().open_session(app, request_)


def _before_any_hook():
    """First of the app's hooks on an API URL: nobody is signed in by cookie, the language
    is the caller's, and an unknown URL or method is answered before other checks."""
    if not problems.is_api_request():
        return None
    from skillmap.extensions import login_manager

    g._login_user = login_manager.anonymous_user()
    g.locale_from_browser = True
    if request.routing_exception is not None:
        raise request.routing_exception
    return None


def init_app(app: Flask) -> None:
    """Configure flask-smorest, register the API and its reference page."""
    from skillmap.extensions import csrf
    from skillmap.web.api import calls, catalogue, docs, people, training  # noqa: F401
    from skillmap.web.inputs import IdConverter

    app.config.setdefault("API_TITLE", "SkillMap HR API")
    app.config.setdefault("API_VERSION", "1.0")
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config.setdefault("API_SPEC_OPTIONS", {
        "info": {"description": docs.DESCRIPTION},
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
    })
    app.session_interface = SessionlessApi()
    api.init_app(app)
    api.register_converter(IdConverter, lambda _c: {"type": "integer", "minimum": 0,
                                                     "maximum": 2**31 - 1})
    api.spec.components.security_scheme("bearer", {
        "type": "http", "scheme": "bearer",
        "description": "A token created by an administrator (Administration > API tokens "
                       "or `flask api-token create`)."})
    api.register_blueprint(bp)
    csrf.exempt(bp)
    app.register_blueprint(docs.bp)
    app.before_request_funcs.setdefault(None, []).insert(0, _before_any_hook)
    # registered last, so it runs first: the security headers still apply to its result
    app.after_request(problems.convert)
