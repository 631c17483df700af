"""Administration: accounts, taxonomy and bulk imports."""
from flask import Blueprint

bp = Blueprint("admin", __name__)

from skillmap.web.admin import (routes, people_routes, structure_routes,  # noqa: E402,F401
                                import_routes)
