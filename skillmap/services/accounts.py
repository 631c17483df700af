"""Accounts: creating users, signing in, passwords and language.

Functions flush (or only change loaded rows) and never commit: the request or the
command that calls them commits once.
"""
from __future__ import annotations

import sqlalchemy as sa
from werkzeug.security import check_password_hash

from skillmap.extensions import db
from skillmap.models import ROLES, Organisation, User
from skillmap.models.base import utcnow
from skillmap.services import audit, login_guard, passwords
from skillmap.services.passwords import MIN_LENGTH as MIN_PASSWORD, WeakPassword

#: checked when the e-mail has no account, so that unknown and known e-mails take as long
#: (same method and cost as werkzeug's ``generate_password_hash`` default)
DUMMY_HASH = ("scrypt:32768:8:1$VxphDY7JIPn7kjtn$12137d22937c34be198683574b9de558f392b21f321c"
              "31517ba8d612ca9b9b8fe238ee09f71ef5ba6a37552bfbd3d840e1dcb64f4bd6dff0c88df8a8df"
              "59121a")

__all__ = ["MIN_PASSWORD", "WeakPassword", "AccountError", "LoginLocked", "PasswordsOff"]


class AccountError(ValueError):
    """A request about an account that cannot be carried out (message is for users)."""


class PasswordsOff(Exception):
    """The account signs in only through single sign-on (its password is refused)."""


class LoginLocked(Exception):
    """Too many failed sign-ins: try again in ``seconds``."""

    def __init__(self, seconds: int):
        super().__init__(seconds)
        self.seconds = seconds


def check_new_password(password: str, user: User | None = None, *, email: str | None = None,
                       person=None, current: bool = True) -> None:
    """The one password policy check (raises :class:`WeakPassword`) for every place that
    sets a password; the e-mail, the person's name and the current password are refused."""
    person = person if person is not None else (user.person if user is not None else None)
    names = (person.first_name, person.last_name) if person is not None else ()
    passwords.check(password, email=email or (user.email if user is not None else None),
                    names=names,
                    current_hash_ok=(user.check_password if user is not None and current
                                     and user.password_hash else None))


def end_sessions(user: User) -> None:
    """End every session of ``user`` on every device (the caller commits)."""
    user.session_version = (user.session_version or 0) + 1


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
                person=None, locale: str = "it", actor_id: int | None = None) -> User:
    """Create a login account; refuses unknown roles, short passwords and duplicates."""
    email = email.strip().lower()
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    try:
        check_new_password(password, email=email, person=person)
    except WeakPassword as exc:
        raise AccountError(str(exc)) from exc
    if find_user(email) is not None:
        raise AccountError(f"an account for {email} already exists")
    user = User(organisation_id=organisation.id, email=email, role=role, locale=locale,
                person=person)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record(organisation.id, actor_id, "account.created", detail=f"user {user.id} role {role}")
    return user


def authenticate(email: str, password: str, address: str = "") -> User | None:
    """The active user with these credentials, or None; :class:`LoginLocked` while the
    e-mail or the address must wait. Every attempt is recorded; a password hash is
    checked whether or not the e-mail has an account, so both take the same time.

    The attempt is recorded in every case, also when this raises or returns None: the
    caller commits in every case."""
    email = email.strip().lower()
    wait = login_guard.standing(email, address).wait_seconds
    user = find_user(email)
    org_id = user.organisation_id if user is not None else None
    if wait > 0:
        login_guard.record(email, address, "locked", org_id)
        raise LoginLocked(wait)
    ok = check_password_hash(user.password_hash if user is not None else DUMMY_HASH, password)
    if user is not None and user.active and _passwords_off(user):
        login_guard.record(email, address, "failed", org_id)
        raise PasswordsOff(email)
    if user is None or not user.active or not ok:
        login_guard.record(email, address, "failed", org_id)
        return None
    login_guard.record(email, address, "ok", org_id)
    user.last_login_at = utcnow()
    return user


def _passwords_off(user: User) -> bool:
    from skillmap.services import sso

    return sso.passwords_off(user)


def sign_out(user: User) -> None:
    """Signing out ends the user's sessions everywhere, not only in this browser."""
    end_sessions(user)


def record_login(user: User) -> None:
    user.last_login_at = utcnow()


def change_password(user: User, current: str, new: str) -> None:
    """Set a new password (policy checked); every session of the user ends."""
    if not user.check_password(current):
        raise AccountError("current password")
    check_new_password(new, user)
    user.set_password(new)
    end_sessions(user)
    audit.record(user.organisation_id, user.id, "account.password_changed")


def set_locale(user: User, locale: str) -> None:
    user.locale = locale


def mark_privacy_seen(user: User) -> None:
    user.privacy_seen_at = utcnow()


def change_role(user: User, role: str, *, actor: User) -> None:
    """Give ``user`` another role; an admin cannot demote themself (no lock-out)."""
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}")
    if user.id == actor.id and role != "admin":
        raise AccountError("own role")
    old, user.role = user.role, role
    if old != role:
        end_sessions(user)
    audit.record(user.organisation_id, actor.id, "account.role_changed",
                 detail=f"user {user.id}: {old} -> {role}")


def set_sso_only(user: User, sso_only: bool, *, actor: User) -> None:
    """Turn the password of ``user`` off (sign-in only through single sign-on) or on."""
    user.sso_only = sso_only
    audit.record(user.organisation_id, actor.id,
                 "account.passwords_off" if sso_only else "account.passwords_on",
                 subject_person_id=user.person_id, detail=f"user {user.id}")


def set_active(user: User, active: bool, *, actor: User) -> None:
    """Enable or disable an account; nobody disables their own."""
    if user.id == actor.id and not active:
        raise AccountError("own account")
    user.active = active
    end_sessions(user)
    audit.record(user.organisation_id, actor.id,
                 "account.enabled" if active else "account.disabled", detail=f"user {user.id}")
