"""Nothing typed is lost: a form refused for an expired session or a stale security token
comes back filled in.

* Session expired (the idle or absolute limit, :mod:`skillmap.web.sessions`) on a POST: the
  fields are kept for the account the session belonged to, the session ends, and the sign-in
  page's ``next`` leads back to the form's page with ``?kept=<token>``.
* Stale token (the page was drawn before a sign-in in another tab): the fields are kept for
  the signed-in user and the form's page opens again with ``?kept=<token>``.
* On that GET, :class:`skillmap.web.forms.FlaskForm` fills the form whose fields were kept
  (and only that one) and a message says what happened; the person checks it and sends it
  again with a fresh token. Nothing is saved before they do.

The form's page is the one the form was on (the ``Referer``, sent for this site by the
``same-origin`` referrer policy, when it is a path here) or else the address the form was
sent to when that answers GET. Only a form sent from this site is kept (its ``Origin``):
one posted from elsewhere gets the plain refusal, never a form filled in by a stranger.
Passwords, the token and files are never kept; sign-in and password pages keep nothing.
"""
from __future__ import annotations

import re
from urllib.parse import urlencode, urlsplit

from flask import Flask, current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect

from skillmap.extensions import db
from skillmap.services import kept_forms
from skillmap.web.redirects import safe_next

ARG = "kept"
#: pages whose forms are never kept (passwords, sign-in)
NEVER = frozenset({"auth.login", "auth.logout", "auth.set_password", "auth.forgot_password",
                   "auth.change_password"})
#: field names never kept, whatever the form
SECRET = re.compile(r"pass(word)?|secret|csrf|token$", re.IGNORECASE)
_password_fields: set[str] | None = None


def _password_names() -> set[str]:
    """The names of every PasswordField of the app's forms (checked once)."""
    global _password_fields
    if _password_fields is None:
        import flask_wtf
        from wtforms import PasswordField

        names, todo = set(), [flask_wtf.FlaskForm]
        while todo:
            cls = todo.pop()
            todo.extend(cls.__subclasses__())
            for name in dir(cls):
                unbound = getattr(cls, name, None)
                if getattr(unbound, "field_class", None) is not None and issubclass(
                        unbound.field_class, PasswordField):
                    names.add(name)
        _password_fields = names
    return _password_fields


def _fields() -> list[tuple[str, str]]:
    secret = _password_names()
    out = []
    for name, value in request.form.items(multi=True):
        bare = name.rsplit("-", 1)[-1]  # a prefixed field: "e5-name" -> "name"
        if bare in secret or SECRET.search(bare):
            continue
        out.append((name, value))
    return out


def _answers_get(path: str) -> bool:
    adapter = current_app.create_url_adapter(request)
    try:
        endpoint, _args = adapter.match(path, method="GET")
    except (NotFound, MethodNotAllowed, RequestRedirect):
        return False
    return endpoint not in NEVER


def form_page() -> str | None:
    """The path (with its query) of the page the refused form was on, or None."""
    referrer = request.referrer or ""
    parts = urlsplit(referrer)
    if parts.netloc and parts.netloc == request.host:
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        target = safe_next(target, "")
        if target and _answers_get(parts.path):
            return _without_kept(target)
    if _answers_get(request.path):
        return request.path
    return None


def _without_kept(target: str) -> str:
    parts = urlsplit(target)
    if not parts.query:
        return target
    query = "&".join(p for p in parts.query.split("&") if not p.startswith(f"{ARG}="))
    return parts.path + (f"?{query}" if query else "")


def same_origin() -> bool:
    """The refused form was sent from a page of this site: its ``Origin`` (sent by browsers
    with every form POST) or, without one, its ``Referer`` names this host. A form posted
    from another site is never kept: it would come back to the victim filled in by someone
    else."""
    origin = request.headers.get("Origin")
    if origin:
        return origin.rstrip("/") == request.host_url.rstrip("/")
    referrer = urlsplit(request.referrer or "")
    return bool(referrer.netloc) and referrer.netloc == request.host


def keep(user_id: int) -> tuple[str | None, bool]:
    """Keep the posted fields for ``user_id``. Returns the address of the form's page to come
    back to (with the token when something was kept, else None when there is no such page)
    and whether something was kept. Commits its row."""
    if request.method != "POST" or request.endpoint in NEVER or not same_origin():
        return None, False
    page = form_page()
    if page is None:
        return None, False
    fields = _fields()
    if not fields:  # a button alone (take up, interest...): just go back to its page
        return page, False
    try:
        token = kept_forms.keep(user_id, urlsplit(page).path, fields)
    except ValueError:
        return page, False
    db.session.commit()
    return page + ("&" if "?" in page else "?") + urlencode({ARG: token}), True


def after_expiry(user):
    """The session of ``user`` has just ended on a POST: keep the form and send the browser to
    the sign-in page, which leads back to it. None when there is no page to come back to."""
    back, kept = keep(user.id) if user is not None else (None, False)
    if back is None:
        return None
    if kept:
        flash(_("What you typed is kept: sign in again and you will find it filled in."),
              "info")
    return redirect(url_for("auth.login", next=back))


def after_stale_token():
    """A CSRF refusal: keep the form and show it again, or None (the 400 page answers)."""
    from skillmap.web import sessions

    if "_user_id" in session:
        user = sessions.load_user(session["_user_id"])
        if user is not None and sessions.expired():
            sessions.end()
            flash(_("Your session has expired: please sign in again."), "info")
            return after_expiry(user)
    if not current_user.is_authenticated:
        return None
    back, kept = keep(current_user.id)
    if back is None:
        return None
    if not kept:
        flash(_("This page was out of date, so nothing was done: try again."), "warning")
    return redirect(back)


def _load() -> None:
    """On the GET that comes back to the form: the kept fields, for this user and page."""
    if request.method != "GET" or ARG not in request.args:
        return None
    if not current_user.is_authenticated:
        return None
    fields = kept_forms.find(request.args.get(ARG, ""), current_user.id, request.path)
    if fields is None:
        flash(_("What you typed was kept for a short time only and is no longer available."),
              "warning")
        return None
    g.kept_formdata = fields
    flash(_("Here is what you typed: the page had expired, so nothing was saved yet. Check it "
            "and send it again."), "warning")
    return None


def init_app(app: Flask) -> None:
    app.before_request(_load)
