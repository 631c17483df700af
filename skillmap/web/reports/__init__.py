"""Manager reports: skills matrix, gaps, growth, trends, skill families, role targets."""
from flask import Blueprint

bp = Blueprint("reports", __name__)

from skillmap.web.reports import routes  # noqa: E402,F401
