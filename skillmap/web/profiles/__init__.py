"""Skill profiles: my profile and privacy, people and colleagues, review queues."""
from flask import Blueprint

bp = Blueprint("profiles", __name__)

from skillmap.web.profiles import people, review, routes  # noqa: E402,F401
