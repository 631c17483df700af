"""Error pages in the user's language."""
from flask import Flask, render_template
from flask_wtf.csrf import CSRFError


def init_app(app: Flask) -> None:
    def page(code):
        def handler(error):
            return render_template(f"errors/{code}.html", error=error), code
        return handler

    for code in (403, 404, 500):
        app.register_error_handler(code, page(code))

    @app.errorhandler(CSRFError)
    def _csrf(error):
        return render_template("errors/400.html", csrf=True), 400

    @app.errorhandler(413)
    def _too_large(error):
        return render_template("errors/400.html", too_large=True), 413
