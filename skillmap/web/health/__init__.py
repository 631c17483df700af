"""``/healthz``: machine-readable health for load balancers and monitoring."""
from flask import Blueprint

bp = Blueprint("health", __name__)

from skillmap.web.health import routes  # noqa: E402,F401
