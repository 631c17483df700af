"""Language choice and template helpers for Italian-first pages."""
from __future__ import annotations

from flask import current_app, g, has_request_context, request, session
from flask_babel import get_locale, lazy_gettext as _l
from flask_login import current_user

#: the proficiency scale shown wherever a level is chosen or displayed
LEVEL_NAMES = {
    1: _l("Basic"),
    2: _l("Elementary"),
    3: _l("Autonomous"),
    4: _l("Advanced"),
    5: _l("Expert"),
}
LEVEL_DESCRIPTORS = {
    1: _l("Knows the basics and works with guidance."),
    2: _l("Does simple tasks alone."),
    3: _l("Handles ordinary work independently."),
    4: _l("Solves complex problems and guides others."),
    5: _l("A reference for the organisation: innovates and teaches."),
}
ROLE_NAMES = {
    "employee": _l("Employee"),
    "coordinator": _l("Coordinator"),
    "manager": _l("Manager (HR)"),
    "admin": _l("Administrator"),
}
#: a requirement's importance (weight 1-5) in words
IMPORTANCE_NAMES = {
    1: _l("useful"),
    2: _l("helpful"),
    3: _l("important"),
    4: _l("very important"),
    5: _l("essential"),
}
PROJECT_STATUS_NAMES = {
    "idea": _l("Idea"),
    "staffing": _l("Looking for a team"),
    "active": _l("Active"),
    "closed": _l("Closed"),
}


def select_locale() -> str:
    """The user's language, else the one picked on the login page, else Italian; for the
    HR API, the caller's ``Accept-Language``."""
    langs = current_app.config["LANGUAGES"]
    if not has_request_context():  # a command or a queue task: the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if g.get("locale_from_browser"):  # the HR API: no session, the caller's Accept-Language
        return (request.accept_languages.best_match(langs)
                or current_app.config["BABEL_DEFAULT_LOCALE"])
    if current_user and current_user.is_authenticated and current_user.locale in langs:
        return current_user.locale
    chosen = session.get("lang")
    if chosen in langs:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def lang() -> str:
    """The active language code ('it' or 'en')."""
    return str(get_locale() or "it")


def level_label(level: int | None) -> str:
    """'3 - Autonomous' style label for a level (0 = wish)."""
    if not level:
        return str(_l("Wants to learn"))
    return f"{level} – {LEVEL_NAMES[int(level)]}"


def number(value, digits: int = 0) -> str:
    """A number in the user's language, ``digits`` decimals ("3,3" in Italian)."""
    from flask_babel import format_decimal

    if digits:
        return format_decimal(round(float(value), digits),
                              "0." + "0" * digits)
    return format_decimal(round(float(value)), "0")


def percent(share, digits: int = 0) -> str:
    """A share (0-1) as a percentage in the user's language ("22%", "22,5%")."""
    from flask_babel import format_percent

    return format_percent(float(share), "0" + ("." + "0" * digits if digits else "") + "%")


def month_label(value) -> str:
    """A month ("2025-01", a date or a Period) as "gen 2025" in the user's language."""
    from datetime import date

    from flask_babel import format_date

    if isinstance(value, str):
        year, month = value[:7].split("-")
        value = date(int(year), int(month), 1)
    elif hasattr(value, "to_timestamp"):
        value = value.to_timestamp().date()
    return format_date(value, "LLL yyyy")


def spreadsheet_csv() -> dict:
    """The CSV separator and decimal mark a spreadsheet expects in the user's language:
    where the decimal mark is a comma (Italian), Excel splits columns on ``;``."""
    from babel.numbers import get_decimal_symbol

    decimal = get_decimal_symbol(get_locale() or "it")
    return {"sep": ";" if decimal == "," else ",", "decimal": decimal}


def install_template_helpers(app) -> None:
    """Expose language helpers to every template."""

    @app.context_processor
    def _helpers():
        return {
            "current_lang": lang(),
            "LEVEL_NAMES": LEVEL_NAMES,
            "LEVEL_DESCRIPTORS": LEVEL_DESCRIPTORS,
            "ROLE_NAMES": ROLE_NAMES,
            "PROJECT_STATUS_NAMES": PROJECT_STATUS_NAMES,
            "IMPORTANCE_NAMES": IMPORTANCE_NAMES,
            "level_label": level_label,
        }

    @app.template_filter("tr")
    def _localised(obj, field="name"):
        """``skill|tr`` -> the Italian or English name of a taxonomy row."""
        return getattr(obj, f"{field}_en" if lang() == "en" else f"{field}_it")

    app.add_template_filter(number, "number")
    app.add_template_filter(percent, "percent")
    app.add_template_filter(month_label, "month")

    @app.template_filter("date_local")
    def _date_local(value):
        from flask_babel import format_date

        return format_date(value, "medium") if value else ""

    @app.template_filter("datetime_local")
    def _datetime_local(value):
        from flask_babel import format_datetime

        return format_datetime(value, "medium") if value else ""

