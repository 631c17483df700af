"""Sessions the server can end: a version in the session id, an absolute and an idle limit.

The signed session cookie keeps ``_user_id`` as ``"<user id>:<session version>"`` (see
:meth:`skillmap.models.User.get_id`). Raising ``User.session_version`` (sign-out, password
or role change, deactivation) makes every cookie issued before it load no user, on every
device and every worker, because the check reads the database row. The cookie also
carries when the session started and when it was last used: past ``SESSION_HOURS`` or
``IDLE_MINUTES`` the session is ended and the user signs in again.
"""
from __future__ import annotations

import time

from flask import Flask, current_app, flash, request, session
from flask_babel import gettext as _
from flask_login import login_user, logout_user

from skillmap.extensions import db, login_manager

STARTED = "_started"
SEEN = "_seen"
#: the idle clock is written back to the cookie at most this often (seconds)
SEEN_GRANULARITY = 60
#: what survives the clean slate given to a new session
KEPT_KEYS = ("lang",)


def now() -> float:
    """Seconds since the epoch (a function, so that tests can move the clock)."""
    return time.time()


def start(user) -> None:
    """Sign ``user`` in on a clean session: new CSRF token, fresh clocks."""
    kept = {k: session[k] for k in KEPT_KEYS if k in session}
    session.clear()
    session.update(kept)
    login_user(user)
    stamp = int(now())
    session[STARTED] = stamp
    session[SEEN] = stamp


def renew(user) -> None:
    """Keep this browser signed in after ``user``'s session version changed (e.g. the
    user changed their own password): other sessions stay ended, the clocks run on."""
    unwrap = getattr(user, "_get_current_object", None)  # never store the current_user proxy
    login_user(unwrap() if unwrap else user)


def end() -> None:
    """Forget the signed-in user in this browser and everything the session held."""
    logout_user()
    kept = {k: session[k] for k in KEPT_KEYS if k in session}
    session.clear()
    session.update(kept)


def _expired() -> bool:
    started, seen = session.get(STARTED), session.get(SEEN)
    if not isinstance(started, int) or not isinstance(seen, int):
        return True
    t = now()
    return (t - started > current_app.config["SESSION_HOURS"] * 3600
            or t - seen > current_app.config["IDLE_MINUTES"] * 60)


def expired() -> bool:
    """The signed-in session in this cookie is past its absolute or idle limit."""
    return _expired()


def _check_clock():
    if "_user_id" not in session:
        return None
    if _expired():
        user = load_user(session["_user_id"]) if request.method == "POST" else None
        end()
        flash(_("Your session has expired: please sign in again."), "info")
        if user is not None:  # a form sent after the session ended: keep what was typed
            from skillmap.web import kept

            return kept.after_expiry(user)
        return None
    if now() - session[SEEN] >= SEEN_GRANULARITY:
        session[SEEN] = int(now())
    return None


def load_user(user_id: str):
    """The user a session id names, if the id still matches the user's session version."""
    from sqlalchemy.orm import joinedload

    from skillmap.models import Person, User

    ident, sep, version = str(user_id).partition(":")
    if not sep or not ident.isdigit() or not version.isdigit() or len(ident) > 18:
        return None
    # with the person and unit most pages show (one query instead of three)
    user = db.session.get(User, int(ident),
                          options=[joinedload(User.person).joinedload(Person.unit)])
    if user is None or str(user.session_version) != version:
        return None
    return user


def init_app(app: Flask) -> None:
    """Register the loader and the clock check (before the access check runs)."""
    login_manager.user_loader(load_user)
    app.before_request(_check_clock)
