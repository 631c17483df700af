"""Single sign-on with OpenID Connect: which SkillMap account an identity provider's user gets.

The protocol (discovery, state, nonce, the ID token's signature, issuer and audience)
is Authlib's, in :mod:`skillmap.web.auth.sso`. This module decides, from the verified
claims, which account signs in:

* the provider must say the e-mail is verified (``email_verified`` true);
* an existing account with that e-mail signs in if it is active (and, once linked,
  only for the same provider subject ``sub``: an address handed to someone else at
  the provider does not open the old owner's account);
* without an account, the person an admin created with that e-mail gets one, with the
  employee role (``OIDC_CREATE_ACCOUNTS``, on by default): HR keeps people in
  SkillMap, the provider proves who they are, nobody registers themself;
* anything else is refused with a reason the login page explains.

Functions flush and never commit: the view commits once.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import current_app

from skillmap.extensions import db
from skillmap.models import NO_PASSWORD, Person, User
from skillmap.services import accounts, audit, login_guard

__all__ = ["SsoRefused", "REASONS", "configured", "provider_name", "passwords_off",
           "sign_in"]

#: why a single sign-on is refused (the login page words each one)
REASONS = ("unverified", "no_email", "no_person", "ambiguous", "disabled", "ended",
           "subject", "no_account", "issuer", "provider")


class SsoRefused(Exception):
    """The provider's user gets no SkillMap session; ``reason`` is one of :data:`REASONS`."""

    def __init__(self, reason: str, email: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.email = email


def configured(config=None) -> bool:
    """Single sign-on is on: issuer, client id and client secret are all set."""
    c = config if config is not None else current_app.config
    return bool(c.get("OIDC_ISSUER") and c.get("OIDC_CLIENT_ID") and c.get("OIDC_CLIENT_SECRET"))


def provider_name(config=None) -> str:
    """The name on the button ("Sign in with Microsoft"): OIDC_PROVIDER_NAME, else the
    issuer's host."""
    from urllib.parse import urlsplit

    c = config if config is not None else current_app.config
    return c.get("OIDC_PROVIDER_NAME") or urlsplit(c.get("OIDC_ISSUER") or "").hostname or "SSO"


def passwords_off(user: User | None) -> bool:
    """Whether ``user`` may sign in only through single sign-on: the account's own flag,
    or ``OIDC_SSO_ONLY`` for every account already linked to the provider. Never while
    single sign-on is not configured (nobody could sign in at all)."""
    if user is None or not configured():
        return False
    return bool(user.sso_only or (current_app.config.get("OIDC_SSO_ONLY")
                                  and user.oidc_subject))


def _person_for(email: str) -> Person:
    people = list(db.session.scalars(sa.select(Person).where(
        sa.func.lower(Person.email) == email).limit(2)))
    if not people:
        raise SsoRefused("no_person", email)
    if len(people) > 1:  # the same address in two cooperatives: an admin must decide
        raise SsoRefused("ambiguous", email)
    return people[0]


def _account_for(claims: dict) -> User:
    email = str(claims.get("email") or "").strip().lower()
    if not email:
        raise SsoRefused("no_email")
    if claims.get("email_verified") is not True:
        raise SsoRefused("unverified", email)
    subject = str(claims.get("sub") or "")
    user = accounts.find_user(email)
    if user is None:
        person = _person_for(email)
        if person.user is not None:  # the person's account has another e-mail
            raise SsoRefused("no_account", email)
        if person.has_ended():
            raise SsoRefused("ended", email)
        if not current_app.config.get("OIDC_CREATE_ACCOUNTS", True):
            raise SsoRefused("no_account", email)
        user = User(organisation_id=person.organisation_id, email=email, role="employee",
                    person=person, password_hash=NO_PASSWORD,
                    sso_only=bool(current_app.config.get("OIDC_SSO_ONLY")))
        db.session.add(user)
        db.session.flush()
        audit.record(person.organisation_id, None, "account.created",
                     subject_person_id=person.id,
                     detail=f"user {user.id} role employee, by single sign-on")
    if not user.active:
        raise SsoRefused("disabled", email)
    if user.person is not None and user.person.has_ended():
        raise SsoRefused("ended", email)
    if user.oidc_subject and subject and user.oidc_subject != subject:
        raise SsoRefused("subject", email)
    if not user.oidc_subject and subject:
        taken = db.session.scalar(sa.select(User.id).where(User.oidc_subject == subject))
        if taken is not None and taken != user.id:
            raise SsoRefused("subject", email)
        user.oidc_subject = subject
        audit.record(user.organisation_id, user.id, "account.sso_linked",
                     subject_person_id=user.person_id, detail=f"user {user.id}")
    return user


def sign_in(claims: dict, address: str = "") -> User:
    """The account the verified ID token ``claims`` sign in, or :class:`SsoRefused`.

    Every outcome is recorded as a sign-in attempt (admins see them beside the password
    ones); the caller commits in every case."""
    try:
        user = _account_for(claims)
    except SsoRefused as exc:
        found = accounts.find_user(exc.email) if exc.email else None
        login_guard.record(exc.email or "(sso)", address, "failed",
                           found.organisation_id if found is not None else None)
        raise
    login_guard.record(user.email, address, "ok", user.organisation_id)
    accounts.record_login(user)
    return user
