"""What a person typed in a form that was refused because their session had expired or the
page's security token was out of date, kept for a short time under a random token.

Only the person who typed it gets it back (the row names their account), only on the page
it came from, and only until ``KEPT_FORM_MINUTES`` have passed; passwords are never kept
(the web layer drops them before calling :func:`keep`). Expired rows are deleted by the
queue's minutely reaper (:func:`prune`); reading never writes.
"""
from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from werkzeug.datastructures import MultiDict

from skillmap.extensions import db
from skillmap.models import KeptForm
from skillmap.models.base import utcnow

__all__ = ["find", "keep", "prune"]

#: at most this many characters of form data are kept (a project description is 5,000)
MAX_CHARS = 100_000


def keep(user_id: int, path: str, fields: list[tuple[str, str]]) -> str:
    """Keep ``fields`` (name, value pairs in the posted order) for ``user_id``; returns the
    token that finds them again. Flushes; the caller commits."""
    data = json.dumps([[k, v] for k, v in fields], ensure_ascii=False)
    if len(data) > MAX_CHARS:
        raise ValueError("form too large to keep")
    token = secrets.token_urlsafe(32)
    minutes = int(current_app.config["KEPT_FORM_MINUTES"])
    db.session.add(KeptForm(token=token, user_id=user_id, path=path[:2000], fields=data,
                            expires_at=utcnow() + timedelta(minutes=minutes)))
    db.session.flush()
    return token


def find(token: str, user_id: int, path: str) -> MultiDict | None:
    """The fields kept under ``token`` for this user and page, while they last."""
    if not token or len(token) > 64:
        return None
    row = db.session.scalar(sa.select(KeptForm).where(
        KeptForm.token == token, KeptForm.user_id == user_id, KeptForm.path == path,
        KeptForm.expires_at > utcnow()))
    if row is None:
        return None
    return MultiDict([(k, v) for k, v in json.loads(row.fields)])


def prune(now: datetime | None = None) -> int:
    """Delete the kept forms whose time is over; returns how many. Flushes."""
    return db.session.execute(sa.delete(KeptForm).where(
        KeptForm.expires_at <= (now or utcnow()))).rowcount or 0
