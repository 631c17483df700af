"""Bearer tokens of the HR API: create (the token is returned once), list, revoke, check.

Only administrators create and revoke tokens (the admin page and ``flask api-token``);
every token is an HR-level key to its organisation's data, so there is no token of a
lesser role. The database keeps the SHA-256 of each token, never the token.
Functions flush; the view or the command commits.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa

from skillmap.extensions import db
from skillmap.models import API_SCOPES, ApiToken, User
from skillmap.models.base import utcnow
from skillmap.services import audit

__all__ = ["TokenError", "TOKEN_PREFIX", "authenticate", "create_token", "hash_token",
           "revoke_token", "state", "tokens", "touch"]

#: every token starts with this, so that secret scanners can recognise a leaked one
TOKEN_PREFIX = "smk_"
NAME_MAX = 100
#: ``last_used_at`` is written at most this often per token (seconds)
TOUCH_EVERY = 60


class TokenError(Exception):
    """The token cannot be created; ``reason`` says why (name, scope, expires)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(organisation_id: int, name: str, scope: str, *, expires_days: int | None,
                 actor: User | None) -> tuple[ApiToken, str]:
    """A new token and its clear text, which is shown once and never stored."""
    name = (name or "").strip()
    if not name or len(name) > NAME_MAX:
        raise TokenError("name")
    if scope not in API_SCOPES:
        raise TokenError("scope")
    if expires_days is not None and not 1 <= expires_days <= 3650:
        raise TokenError("expires")
    clear = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    token = ApiToken(organisation_id=organisation_id, name=name, scope=scope,
                     token_hash=hash_token(clear), prefix=clear[:10],
                     created_by_id=actor.id if actor else None, created_at=now,
                     expires_at=now + timedelta(days=expires_days) if expires_days else None)
    db.session.add(token)
    db.session.flush()
    audit.record(organisation_id, actor.id if actor else None, "api_token.created",
                 detail=f"token {token.id} {name!r}: {scope}")
    return token, clear


def _aware(value: datetime | None) -> datetime | None:
    """SQLite gives naive datetimes back: they were stored as UTC."""
    if value is not None and value.tzinfo is None:
        from datetime import timezone

        return value.replace(tzinfo=timezone.utc)
    return value


def state(token: ApiToken, now: datetime | None = None) -> str:
    """``active``, ``expired`` or ``revoked``."""
    if token.revoked_at is not None:
        return "revoked"
    expires = _aware(token.expires_at)
    if expires is not None and expires <= (now or utcnow()):
        return "expired"
    return "active"


def authenticate(clear: str) -> ApiToken | None:
    """The live token whose clear text is ``clear``, or None (unknown, expired, revoked)."""
    if not clear or len(clear) > 200:
        return None
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == hash_token(clear)))
    if token is None or state(token) != "active":
        return None
    return token


def touch(token: ApiToken) -> None:
    """Note the use (at most once a minute; the caller commits with the call's audit row)."""
    now = utcnow()
    last = _aware(token.last_used_at)
    if last is None or (now - last).total_seconds() >= TOUCH_EVERY:
        token.last_used_at = now


def revoke_token(token: ApiToken, *, actor: User | None) -> bool:
    """Revoke ``token`` now; False when it was revoked already."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    audit.record(token.organisation_id, actor.id if actor else None, "api_token.revoked",
                 detail=f"token {token.id} {token.name!r}")
    db.session.flush()
    return True


def tokens(organisation_id: int) -> list[ApiToken]:
    """The organisation's tokens, newest first."""
    return list(db.session.scalars(sa.select(ApiToken).where(
        ApiToken.organisation_id == organisation_id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))
