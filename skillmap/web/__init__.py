"""Blueprints, access control and error pages."""
from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Attach every blueprint and the deny-by-default access check."""
    from skillmap.extensions import csrf
    from skillmap.web import access, errors, headers, inputs, kept, nav, sessions, timing
    from skillmap.web.admin import bp as admin_bp
    from skillmap.web.auth import bp as auth_bp
    from skillmap.web.health import bp as health_bp
    from skillmap.web.insights import bp as insights_bp
    from skillmap.web.main import bp as main_bp
    from skillmap.web.profiles import bp as profiles_bp
    from skillmap.web.projects import bp as projects_bp
    from skillmap.web.reports import bp as reports_bp
    from skillmap.web.training import bp as training_bp

    inputs.install_converters(app)  # before any URL rule is added
    app.register_blueprint(auth_bp)
    from skillmap.web.auth import sso
    sso.init_app(app)
    app.register_blueprint(health_bp)
    csrf.exempt(health_bp)
    app.register_blueprint(main_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(reports_bp, url_prefix="/reports")
    app.register_blueprint(insights_bp, url_prefix="/insights")
    app.register_blueprint(projects_bp, url_prefix="/projects")
    app.register_blueprint(profiles_bp)
    app.register_blueprint(training_bp, url_prefix="/training")
    headers.init_app(app)
    sessions.init_app(app)
    inputs.init_app(app)
    access.init_app(app)
    kept.init_app(app)  # after the access check: the kept form is its user's only
    timing.init_app(app)
    errors.init_app(app)
    nav.init_app(app)
    # the HR API last: its hooks wrap the others (no session, problem details)
    from skillmap.web import api
    api.init_app(app)
