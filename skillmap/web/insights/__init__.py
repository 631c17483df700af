"""Engine results in the app: skill families, recompute with progress, backups."""
from flask import Blueprint

bp = Blueprint("insights", __name__)

from skillmap.web.insights import routes  # noqa: E402,F401
