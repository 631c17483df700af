"""Plain words for a training status: what it means and what to do (pages and e-mails)."""
from __future__ import annotations

import pandas as pd
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from skillmap.engine import training as engine

STATUS_NAMES = {
    engine.EXPIRED: _l("Expired"),
    engine.EXPIRING: _l("Expiring"),
    engine.MISSING: _l("Missing"),
    engine.VALID: _l("Valid"),
    engine.NOT_REQUIRED: _l("Not required"),
}


def status_name(status: str) -> str:
    return str(STATUS_NAMES.get(status, status))


def explain(status: str, course: str, expires_on=None, days_left=None) -> str:
    """One sentence: what the status means for this course."""
    if status == engine.MISSING:
        return _("You have not done the course %(course)s yet, and your job requires it.",
                 course=course)
    if status == engine.EXPIRED:
        return _("Your course %(course)s expired on %(date)s.", course=course,
                 date=format_date(expires_on, "long"))
    if status == engine.EXPIRING:
        if days_left == 0:
            return _("Your course %(course)s expires today.", course=course)
        return ngettext("Your course %(course)s expires in %(num)d day, on %(date)s.",
                        "Your course %(course)s expires in %(num)d days, on %(date)s.",
                        int(days_left), course=course, date=format_date(expires_on, "long"))
    if expires_on:
        return _("Your course %(course)s is valid until %(date)s.", course=course,
                 date=format_date(expires_on, "long"))
    return _("Your course %(course)s does not expire.", course=course)


def what_to_do(status: str) -> str:
    if status in (engine.MISSING, engine.EXPIRED):
        return _("Ask HR for a place on the next course; until then you may not be assigned "
                 "tasks that need it.")
    if status == engine.EXPIRING:
        return _("Ask HR for a place on the refresher course before the date.")
    return ""


def certificate_words(expires_on, today, window_days: int) -> tuple[str, str]:
    """(status, sentence) for the certificate expiry of a profile skill."""
    status = engine.status_on(expires_on, today, window_days)
    if status == engine.EXPIRED:
        return status, _("Certificate expired on %(date)s: renew it.",
                         date=format_date(expires_on, "medium"))
    if status == engine.EXPIRING:
        days = (expires_on - today).days
        if days == 0:
            return status, _("Certificate expires today: renew it.")
        return status, ngettext("Certificate expires in %(num)d day (%(date)s): renew it.",
                                "Certificate expires in %(num)d days (%(date)s): renew it.",
                                days, date=format_date(expires_on, "medium"))
    return status, _("Certificate valid until %(date)s", date=format_date(expires_on, "medium"))


def with_words(frame, *, attention_only: bool = False) -> list[dict]:
    """Status rows (:func:`skillmap.services.training_status.status_table`) as dicts with
    ``sentence``, ``todo`` and ``status_label``; courses not required and never done left out."""
    out = []
    for row in frame.to_dict("records"):
        if row["status"] == engine.NOT_REQUIRED:
            continue
        if attention_only and row["status"] == engine.VALID:
            continue
        days = row["days_left"]
        days = None if days is None or pd.isna(days) else int(days)
        row["sentence"] = explain(row["status"], row["course_name"], row["expires_on"], days)
        row["todo"] = what_to_do(row["status"])
        row["status_label"] = status_name(row["status"])
        out.append(row)
    return out
