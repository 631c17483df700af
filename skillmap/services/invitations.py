"""Invitations and password resets: one-time links sent by e-mail.

A link carries a random token; only its SHA-256 is stored (:class:`AccountToken`).
It works once, for ``TOKEN_HOURS`` hours (72 by default), and only while it is
the newest link of its account: issuing a link ends the older ones.

* :func:`invite_person` creates the person's account (no password yet) and sends
  the invitation; :func:`reinvite` sends a new one; :func:`send_reset` a reset link.
* :func:`request_reset` is what "Password dimenticata?" calls: it only queues a task,
  so the answer and its time are the same whether the address exists or not;
  the task (:func:`reset_requested`) looks the address up and sends the link.
* :func:`set_password` uses a link: checks the password policy
  (:func:`skillmap.services.accounts.check_new_password`) and ends the link.
* The job kind ``invite_all`` (:mod:`skillmap.services.invitation_job`) invites
  everyone who has an e-mail and no account.

Functions flush and never commit: the request, the command or the queued task that
calls them commits once (the e-mails leave after that commit).
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from skillmap import clock
from skillmap.extensions import db
from skillmap.models import NO_PASSWORD, AccountToken, Person, User
from skillmap.models.base import utcnow
from skillmap.services import accounts, audit, jobs, mail

__all__ = ["InvitationError", "KIND", "find_live", "invite_all_request", "invite_person",
           "pending_invitations", "reinvite", "request_reset", "reset_requested", "send_reset",
           "set_password"]

KIND = "invite_all"
STEPS = ("find", "send")


class InvitationError(Exception):
    """The person cannot be invited (no e-mail, ended, e-mail used by another account)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _issue(user: User, purpose: str) -> str:
    """A new link for ``user``; ends the older live links of the account."""
    now = utcnow()
    db.session.execute(sa.update(AccountToken).where(
        AccountToken.user_id == user.id, AccountToken.ended_at.is_(None)).values(ended_at=now))
    token = secrets.token_urlsafe(32)
    db.session.add(AccountToken(
        user_id=user.id, purpose=purpose, token_hash=_hash(token), created_at=now,
        expires_at=now + timedelta(hours=current_app.config["TOKEN_HOURS"])))
    return token


def _aware(value):
    from datetime import timezone

    return value.replace(tzinfo=timezone.utc) if value is not None and value.tzinfo is None \
        else value


def find_live(token: str) -> AccountToken | None:
    """The link's row if it still works (not used, not replaced, not expired), else None."""
    if not token or len(token) > 200:
        return None
    row = db.session.scalar(sa.select(AccountToken).where(AccountToken.token_hash == _hash(token)))
    if row is None or row.ended_at is not None or _aware(row.expires_at) <= utcnow():
        return None
    if not row.user.active:
        return None
    return row


def _send_link(user: User, purpose: str, token: str) -> None:
    name = user.person.first_name if user.person else ""
    link = mail.external_url("auth.set_password", token=token)
    hours = current_app.config["TOKEN_HOURS"]
    if purpose == "invite":
        subject = _l("Your SkillMap account at %(organisation)s")
        template = "invitation"
    else:
        subject = _l("Choose a new SkillMap password")
        template = "reset"
    mail.queue_message(user.organisation_id, user.email, purpose, template, subject,
                       locale=user.locale, person_id=user.person_id, name=name, link=link,
                       hours=hours, email=user.email)


def invite_person(person: Person, *, actor: User, role: str = "employee",
                  locale: str = "it") -> User:
    """Create ``person``'s account (no password yet) and e-mail the invitation."""
    if person.user is not None:
        if person.user.has_password:
            raise InvitationError("has_account")
        return reinvite(person.user, actor=actor)
    if not person.email:
        raise InvitationError("no_email")
    if person.has_ended():
        raise InvitationError("ended")
    if accounts.find_user(person.email) is not None:
        raise InvitationError("email_taken")
    user = User(organisation_id=person.organisation_id, email=person.email.strip().lower(),
                password_hash=NO_PASSWORD, role=role, locale=locale, person=person,
                invited_at=utcnow())
    db.session.add(user)
    db.session.flush()
    _send_link(user, "invite", _issue(user, "invite"))
    audit.record(person.organisation_id, actor.id if actor else None, "account.invited",
                 subject_person_id=person.id, detail=f"user {user.id} role {role}")
    return user


def reinvite(user: User, *, actor: User | None) -> User:
    """A new invitation for an account whose owner has not set a password yet."""
    if user.has_password:
        raise InvitationError("has_account")
    if not user.active:
        raise InvitationError("disabled")
    user.invited_at = utcnow()
    _send_link(user, "invite", _issue(user, "invite"))
    audit.record(user.organisation_id, actor.id if actor else None, "account.invited",
                 subject_person_id=user.person_id, detail=f"user {user.id} again")
    db.session.flush()
    return user


def send_reset(user: User, *, actor: User | None) -> None:
    """E-mail ``user`` a link to choose a new password (an admin's or the user's request)."""
    if not user.active:
        raise InvitationError("disabled")
    _send_link(user, "reset", _issue(user, "reset"))
    audit.record(user.organisation_id, actor.id if actor else None, "account.reset_sent",
                 subject_person_id=user.person_id, detail=f"user {user.id}")
    db.session.flush()


def request_reset(email: str) -> None:
    """"Forgot password": queue the look-up, so every address gets the same answer and time."""
    from skillmap import queue

    queue.reset_requested((email or "").strip().lower()[:254])


def reset_requested(email: str) -> bool:
    """The queued look-up: send a reset link if an active account has this address (the
    task commits)."""
    user = accounts.find_user(email) if email else None
    if user is None or not user.active:
        return False
    from skillmap.services import sso

    if sso.passwords_off(user):  # signs in with the provider: no password to reset
        return False
    if not user.has_password:  # never accepted the invitation: send it again instead
        reinvite(user, actor=None)
    else:
        send_reset(user, actor=None)
    return True


def set_password(token: str, password: str) -> User:
    """Use a link: set the password (policy checked), end the link, mark the invitation done."""
    row = find_live(token)
    if row is None:
        raise accounts.AccountError("link")
    user = row.user
    from skillmap.services import sso

    if sso.passwords_off(user):  # a link sent before passwords were turned off
        raise accounts.AccountError("link")
    accounts.check_new_password(password, user)  # raises WeakPassword
    user.set_password(password)
    accounts.end_sessions(user)  # a reset ends every session, as a password change does
    user.invited_at = None
    row.ended_at = utcnow()
    audit.record(user.organisation_id, user.id,
                 "account.invitation_accepted" if row.purpose == "invite"
                 else "account.password_reset", subject_person_id=user.person_id)
    db.session.flush()
    return user


def pending_invitations(organisation_id: int, older_than_days: int = 7) -> list[User]:
    """Accounts invited more than ``older_than_days`` ago whose owner has set no password."""
    cutoff = utcnow() - timedelta(days=older_than_days)
    return list(db.session.scalars(sa.select(User).where(
        User.organisation_id == organisation_id, User.password_hash == NO_PASSWORD,
        User.active.is_(True), User.invited_at.is_not(None), User.invited_at < cutoff)
        .order_by(User.invited_at)))


def people_without_account(organisation_id: int):
    """People still working (no end date passed) who have no account: a select."""
    today = clock.today()
    return (sa.select(Person).outerjoin(User, User.person_id == Person.id).where(
        Person.organisation_id == organisation_id, User.id.is_(None),
        sa.or_(Person.end_date.is_(None), Person.end_date >= today))
        .order_by(Person.last_name, Person.first_name))


def invite_all_request(organisation_id: int, actor: User) -> tuple:
    """Ask for the bulk invitation job (the caller commits)."""
    return jobs.request(organisation_id, KIND, user_id=actor.id)
