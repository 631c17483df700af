"""Organisations, units, people and their login accounts."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

import sqlalchemy as sa
from flask import current_app
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from skillmap import clock
from skillmap.extensions import db
from skillmap.models.base import created_col, org_fk, utcnow

#: account roles, from least to most privileged
ROLES = ("employee", "coordinator", "manager", "admin")

#: working relationships: code -> (Italian label, English label). The codes are what the
#: database stores; imports may give the code or either label (see
#: :func:`skillmap.services.people.relationship_code`).
WORK_RELATIONSHIPS: dict[str, tuple[str, str]] = {
    "socio_lavoratore": ("Socio lavoratore", "Worker member"),
    "dipendente": ("Dipendente", "Employee"),
    "collaboratore": ("Collaboratore", "Freelance collaborator"),
    "volontario": ("Volontario", "Volunteer"),
    "tirocinante": ("Tirocinante", "Trainee"),
    "servizio_civile": ("In servizio civile", "Civil service volunteer"),
}


class Organisation(db.Model):
    """A cooperative. Every other row belongs to exactly one."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    created_at: Mapped[datetime] = created_col()


class Unit(db.Model):
    """An area, department or site of the cooperative."""

    __table_args__ = (sa.UniqueConstraint("organisation_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = org_fk()
    name: Mapped[str] = mapped_column(sa.String(200))
    name_en: Mapped[Optional[str]] = mapped_column(sa.String(200))
    site: Mapped[Optional[str]] = mapped_column(sa.String(200))
    #: a retired unit is no longer offered for new people; its people keep it
    retired: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    people: Mapped[list["Person"]] = relationship(back_populates="unit")


class JobTitle(db.Model):
    """A job title (mansione) of the cooperative, managed by admins.

    ``Person.job_title`` and ``RoleTarget.job_title`` hold the name; renaming or
    merging a title here rewrites both in the same transaction
    (:mod:`skillmap.services.org_structure`).
    """

    __table_args__ = (sa.UniqueConstraint("organisation_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = org_fk()
    name: Mapped[str] = mapped_column(sa.String(200))
    retired: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = created_col()


class Person(db.Model):
    """A member or employee whose skills are mapped."""

    __table_args__ = (
        sa.UniqueConstraint("organisation_id", "email"),
        sa.CheckConstraint("availability_hours >= 0 AND availability_hours <= 200",
                           name="availability"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = org_fk()
    unit_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("unit.id", ondelete="SET NULL"), index=True)
    first_name: Mapped[str] = mapped_column(sa.String(100))
    last_name: Mapped[str] = mapped_column(sa.String(100))
    email: Mapped[Optional[str]] = mapped_column(sa.String(254))
    job_title: Mapped[Optional[str]] = mapped_column(sa.String(200), index=True)
    #: hours per month the person can give to innovation projects
    availability_hours: Mapped[int] = mapped_column(default=0)
    available_until: Mapped[Optional[date]] = mapped_column(sa.Date)
    #: spoken languages, comma separated ISO 639-1 codes ("it,en")
    languages: Mapped[str] = mapped_column(sa.String(200), default="")
    #: colleagues may find this person by skill (off by default)
    visible_to_colleagues: Mapped[bool] = mapped_column(default=False)
    #: a code of WORK_RELATIONSHIPS
    work_relationship: Mapped[Optional[str]] = mapped_column(sa.String(30))
    start_date: Mapped[Optional[date]] = mapped_column(sa.Date)
    #: the last day of work; the account closes after it, the profile turns read-only
    end_date: Mapped[Optional[date]] = mapped_column(sa.Date, index=True)
    #: the person wants the e-mails that are not needed for their account (team news)
    email_notifications: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    #: an admin kept the data longer than the retention period, until this day, and why
    retention_until: Mapped[Optional[date]] = mapped_column(sa.Date)
    retention_reason: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    created_at: Mapped[datetime] = created_col()
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow,
                                                 onupdate=utcnow)

    unit: Mapped[Optional[Unit]] = relationship(back_populates="people")
    user: Mapped[Optional["User"]] = relationship(back_populates="person", uselist=False)
    skills: Mapped[list["PersonSkill"]] = relationship(  # noqa: F821
        back_populates="person", cascade="all, delete-orphan")

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def has_ended(self, today: date | None = None) -> bool:
        """Whether the person's end date has passed (their profile is read-only)."""
        return self.end_date is not None and self.end_date < (today or clock.today())


#: the password hash of an account whose owner has not chosen a password (matches nothing)
NO_PASSWORD = "!"


class User(UserMixin, db.Model):
    """A login account, linked to the person it belongs to."""

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = org_fk()
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    role: Mapped[str] = mapped_column(sa.String(20), default="employee")
    locale: Mapped[str] = mapped_column(sa.String(5), default="it")
    active: Mapped[bool] = mapped_column(default=True)
    person_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("person.id", ondelete="SET NULL"), unique=True)
    #: when the user last saw the privacy notice (shown on first login)
    privacy_seen_at: Mapped[Optional[datetime]] = mapped_column(sa.DateTime(timezone=True))
    last_login_at: Mapped[Optional[datetime]] = mapped_column(sa.DateTime(timezone=True))
    #: part of the id kept in every session cookie: raising it ends all sessions of the user
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    #: when the last invitation was sent; None once the invitee has set a password
    invited_at: Mapped[Optional[datetime]] = mapped_column(sa.DateTime(timezone=True))
    #: the OpenID Connect subject ("sub") of the identity provider's account linked on the
    #: first single sign-on; a later sign-on with the same e-mail but another subject is
    #: refused (the address was given to someone else at the provider)
    oidc_subject: Mapped[Optional[str]] = mapped_column(sa.String(255), unique=True)
    #: the account signs in only through single sign-on: password sign-in and reset refused
    sso_only: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = created_col()

    person: Mapped[Optional[Person]] = relationship(back_populates="user")
    organisation: Mapped[Organisation] = relationship()

    __table_args__ = (sa.CheckConstraint(
        "role IN ('employee', 'coordinator', 'manager', 'admin')", name="role"),)

    def get_id(self) -> str:
        """The session id ``"<id>:<session_version>"``: a cookie signed before the version
        was raised (logout, password or role change, deactivation) no longer loads a user."""
        return f"{self.id}:{self.session_version}"

    def set_password(self, password: str) -> None:
        """Store a salted hash made with the configured ``PASSWORD_HASH_METHOD``
        (scrypt by default; the tests choose a fast one)."""
        method = current_app.config["PASSWORD_HASH_METHOD"]
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        if not self.has_password:
            return False
        return check_password_hash(self.password_hash, password)

    @property
    def has_password(self) -> bool:
        """False for an invited account whose owner has not chosen a password yet."""
        return self.password_hash not in ("", NO_PASSWORD)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    def has_role(self, *roles: str) -> bool:
        return self.role in roles


#: what a one-time link lets its holder do
TOKEN_PURPOSES = ("invite", "reset")


class AccountToken(db.Model):
    """A one-time link to set a password (invitation or reset).

    Only the SHA-256 of the token is stored. A link works once, until
    ``expires_at``, and only while it is the newest link of its account.
    """

    __table_args__ = (sa.CheckConstraint("purpose IN ('invite', 'reset')", name="purpose"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(sa.String(10))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = created_col()
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    #: when it was used or replaced by a newer link; a link with ``ended_at`` is dead
    ended_at: Mapped[Optional[datetime]] = mapped_column(sa.DateTime(timezone=True))

    user: Mapped[User] = relationship()
