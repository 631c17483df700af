"""Accounts: creating users, signing in, passwords and language."""
from __future__ import annotations

import sqlalchemy as sa

from skillmap.extensions import db
from skillmap.models import ROLES, Organisation, User
from skillmap.models.base import utcnow
from skillmap.services import audit

MIN_PASSWORD = 10


class AccountError(ValueError):
    """A request about an account that cannot be carried out (message is for users)."""


def validate_password(password: str) -> None:
    """THE password policy: raises :class:`AccountError` (a message for the user) if weak.

    Every place that sets a password calls this (account creation, the invitation
    and reset links), so the policy lives in one function.
    """
    from flask_babel import gettext as _

    if len(password or "") < MIN_PASSWORD:
        raise AccountError(_("Use at least %(n)d characters.", n=MIN_PASSWORD))


def get_or_create_organisation(name: str) -> Organisation:
    org = db.session.scalar(sa.select(Organisation).where(Organisation.name == name))
    if org is None:
        org = Organisation(name=name)
        db.session.add(org)
        db.session.flush()
    return org


def find_user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == email.strip().lower()))


def create_user(organisation: Organisation, email: str, password: str, role: str, *,
                person=None, locale: str = "it", commit: bool = True,
                actor_id: int | None = None) -> User:
    """Create a login account; refuses unknown roles, short passwords and duplicates."""
    email = email.strip().lower()
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    validate_password(password)
    if find_user(email) is not None:
        raise AccountError(f"an account for {email} already exists")
    user = User(organisation_id=organisation.id, email=email, role=role, locale=locale,
                person=person)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record(organisation.id, actor_id, "account.created", detail=f"user {user.id} role {role}")
    if commit:
        db.session.commit()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None."""
    user = find_user(email)
    if user is None or not user.active or not user.check_password(password):
        return None
    user.last_login_at = utcnow()
    db.session.commit()
    return user


def record_login(user: User) -> None:
    user.last_login_at = utcnow()
    db.session.commit()


def change_password(user: User, current: str, new: str) -> None:
    if not user.check_password(current):
        raise AccountError("current password")
    user.set_password(new)
    audit.record(user.organisation_id, user.id, "account.password_changed")
    db.session.commit()


def set_locale(user: User, locale: str) -> None:
    user.locale = locale
    db.session.commit()


def mark_privacy_seen(user: User) -> None:
    user.privacy_seen_at = utcnow()
    db.session.commit()


def change_role(user: User, role: str, *, actor: User) -> None:
    """Give ``user`` another role; an admin cannot demote themself (no lock-out)."""
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}")
    if user.id == actor.id and role != "admin":
        raise AccountError("own role")
    old, user.role = user.role, role
    audit.record(user.organisation_id, actor.id, "account.role_changed",
                 detail=f"user {user.id}: {old} -> {role}")
    db.session.commit()


def set_active(user: User, active: bool, *, actor: User) -> None:
    """Enable or disable an account; nobody disables their own."""
    if user.id == actor.id and not active:
        raise AccountError("own account")
    user.active = active
    audit.record(user.organisation_id, actor.id,
                 "account.enabled" if active else "account.disabled", detail=f"user {user.id}")
    db.session.commit()
