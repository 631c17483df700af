"""Home pages for each role and the privacy notice."""
from flask import Blueprint

bp = Blueprint("main", __name__)

from skillmap.web.main import routes  # noqa: E402,F401
