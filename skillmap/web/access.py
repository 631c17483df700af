"""Deny-by-default access control.

Every view must say who may use it: ``@roles("manager", "admin")``, or
``@public`` for the few pages an anonymous visitor needs. A view that says
nothing answers 403 to everybody, so a forgotten decorator fails closed.
"""
from __future__ import annotations

from flask import Flask, abort, current_app, request
from flask_login import current_user

from skillmap.extensions import login_manager

ALL_ROLES = ("employee", "coordinator", "manager", "admin")


def roles(*allowed: str):
    """Allow only users whose role is one of ``allowed`` (``"*"``: any signed-in user)."""
    allowed_set = frozenset(ALL_ROLES if allowed == ("*",) else allowed)
    unknown = allowed_set - set(ALL_ROLES)
    if unknown:
        raise ValueError(f"unknown role(s): {sorted(unknown)}")

    def decorate(view):
        view.allowed_roles = allowed_set
        return view

    return decorate


def public(view):
    """Mark a view as open to anonymous visitors."""
    view.allowed_roles = "public"
    return view


def _check_access():
    endpoint = request.endpoint
    if endpoint is None:  # 404s are answered by the error handler
        return None
    if endpoint == "static":
        return None
    view = current_app.view_functions.get(endpoint)
    allowed = getattr(view, "allowed_roles", None)
    if allowed == "public":
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not allowed or current_user.role not in allowed:
        abort(403)
    return None


def init_app(app: Flask) -> None:
    """Check roles before every view (the session loader lives in ``web.sessions``)."""
    app.before_request(_check_access)


def require_same_org(obj) -> None:
    """404 unless ``obj`` belongs to the signed-in user's organisation."""
    if obj is None or getattr(obj, "organisation_id", None) != current_user.organisation_id:
        abort(404)

