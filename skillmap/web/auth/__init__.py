"""Signing in and out, passwords and language."""
from flask import Blueprint

bp = Blueprint("auth", __name__)

from skillmap.web.auth import routes, sso  # noqa: E402,F401
