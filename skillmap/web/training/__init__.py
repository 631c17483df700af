"""Mandatory training: deadlines and coverage for HR, one's own register, the catalogue."""
from flask import Blueprint

bp = Blueprint("training", __name__)

from skillmap.web.training import admin_routes, import_routes, plan_routes, routes  # noqa: F401
