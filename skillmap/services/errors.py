"""Exceptions that tell the web layer that another request got there first.

Services raise these after rolling back, so nothing of the refused request is saved; the
views turn each type into a message in the user's language (status 409 or a redirect with
a flash). No view matches message strings.
"""
from __future__ import annotations


class ConflictError(Exception):
    """Another request changed the same rows first; nothing of this one was saved."""


class DuplicateError(ConflictError):
    """The row this request would add exists already (a double click, a second tab).

    ``existing`` is the row found after the rollback, when the caller needs it.
    """

    def __init__(self, existing=None):
        super().__init__(type(self).__name__)
        self.existing = existing
