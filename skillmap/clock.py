"""The cooperative's calendar day: the one source of "today" for every date rule.

Training that expires, a contract that has ended, a year that is still in the future, the
window of a training plan: each asks :func:`today`, so a page, an export, the API and a form
validator drawn in the same request agree on the day, and tests can hold the day still when
a run crosses midnight.
"""
from __future__ import annotations

from datetime import date


def today() -> date:
    """The server's local calendar day."""
    return date.today()
