"""Innovation projects and their teams: coordinators build, employees join and propose."""
from flask import Blueprint

bp = Blueprint("projects", __name__)

from skillmap.web.projects import routes, team_routes, training_routes  # noqa: E402,F401
