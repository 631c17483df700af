"""Error pages in the user's language.

The 500 and 503 pages are rendered without the database: when it is down (or the request's
transaction is broken) loading the signed-in user would fail again inside the handler and
leave a bare "Internal Server Error". They use a layout that shows no menu, mark the
request's user as not loaded, and take the language from the session cookie (set at sign
in) or the browser's Accept-Language.
"""
from flask import Flask, current_app, g, render_template, request, session
from flask_babel import force_locale
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from skillmap.extensions import login_manager


def _language_without_database() -> str:
    langs = current_app.config["LANGUAGES"]
    chosen = session.get("lang")
    if chosen in langs:
        return chosen
    return request.accept_languages.best_match(langs) or current_app.config["BABEL_DEFAULT_LOCALE"]


def render_without_database(template: str, code: int, **context):
    """Render ``template`` touching neither the database nor a user row already loaded."""
    if "_login_user" not in g:  # Flask-Login's context processor would run the user loader
        g._login_user = login_manager.anonymous_user()
    with force_locale(_language_without_database()):
        return render_template(template, **context), code


def database_unavailable(error):
    """The database cannot be reached (down, refusing connections, file unreadable)."""
    current_app.logger.error("database unavailable on %s %s: %s", request.method, request.path,
                             error)
    return render_without_database("errors/503.html", 503)


def _database_error(error: DBAPIError):
    """A dropped connection is an outage; any other database error is a bug (500)."""
    if error.connection_invalidated:
        return database_unavailable(error)
    raise error


def init_app(app: Flask) -> None:
    def page(code):
        def handler(error):
            return render_template(f"errors/{code}.html", error=error), code
        return handler

    for code in (403, 404):
        app.register_error_handler(code, page(code))

    @app.errorhandler(500)
    def _server_error(error):
        return render_without_database("errors/500.html", 500)

    app.register_error_handler(OperationalError, database_unavailable)
    app.register_error_handler(InterfaceError, database_unavailable)
    app.register_error_handler(DBAPIError, _database_error)

    @app.errorhandler(CSRFError)
    def _csrf(error):
        from skillmap.web import kept

        answer = kept.after_stale_token()  # the form comes back filled in, when it can
        if answer is not None:
            return answer
        return render_template("errors/400.html", csrf=True), 400

    @app.errorhandler(413)
    def _too_large(error):
        return render_template("errors/400.html", too_large=True), 413
