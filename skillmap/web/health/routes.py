"""The health endpoint: open to anonymous callers, read-only, JSON only.

It names no person and no account, so monitoring can call it without signing in; it only
reads (GET, no form, no CSRF token to check) and never loads the signed-in user.
"""
from flask import jsonify

from skillmap.services import health
from skillmap.web.access import public
from skillmap.web.health import bp


@bp.route("/healthz")
@public
def healthz():
    report = health.run_checks()
    resp = jsonify(report)
    resp.status_code = 200 if report["status"] == "ok" else 503
    resp.headers["Cache-Control"] = "no-store"
    return resp
