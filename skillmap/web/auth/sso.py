"""Single sign-on with OpenID Connect (Authlib's Flask client).

Configured by ``SKILLMAP_OIDC_ISSUER``, ``_CLIENT_ID`` and ``_CLIENT_SECRET``. The
provider's endpoints and keys come from its discovery document
(``<issuer>/.well-known/openid-configuration``), read when someone signs in and
kept for :data:`METADATA_MAX_AGE` seconds; the document must name the configured
issuer. Authlib checks the state (against this browser's session), the nonce, and
the ID token's signature, issuer, audience and expiry; the account is chosen by
:func:`skillmap.services.sso.sign_in`. A successful sign-on starts a clean session,
as a password sign-in does (:func:`skillmap.web.sessions.start`).

The callback is a GET that writes (the sign-in attempt, the last sign-in time, the
link to the provider's subject, maybe a new account): the protocol answers with a
redirect carrying the code, and it is the one such page.
"""
from __future__ import annotations

import time
from urllib.parse import urlencode

from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import OAuth
from flask import (Flask, current_app, flash, redirect, request, session,
                   url_for)
from flask_babel import gettext as _

from skillmap.extensions import db
from skillmap.services import sso
from skillmap.web import sessions
from skillmap.web.access import public
from skillmap.web.auth import bp
from skillmap.web.headers import origin
from skillmap.web.redirects import safe_next

NAME = "oidc"
#: the discovery document (endpoints, keys) is read again after this many seconds
METADATA_MAX_AGE = 3600
#: session keys: where to go after the sign-on, and that this session came from it
NEXT_KEY = "sso_next"
SSO_KEY = "sso"


def init_app(app: Flask) -> None:
    """Register the provider with a per-app Authlib client (nothing is fetched now)."""
    oauth = OAuth(app)
    if sso.configured(app.config):
        issuer = app.config["OIDC_ISSUER"].rstrip("/")
        oauth.register(
            NAME, client_id=app.config["OIDC_CLIENT_ID"],
            client_secret=app.config["OIDC_CLIENT_SECRET"],
            server_metadata_url=f"{issuer}/.well-known/openid-configuration",
            client_kwargs={"scope": app.config.get("OIDC_SCOPE", "openid email profile"),
                           "timeout": app.config.get("OIDC_TIMEOUT", 10)})
    app.extensions["skillmap_oidc"] = oauth

    @app.context_processor
    def _sso_button():
        if not sso.configured(app.config):
            return {"sso_provider": None}
        return {"sso_provider": sso.provider_name(app.config)}


def _client():
    return current_app.extensions["skillmap_oidc"].create_client(NAME)


def _issuer() -> str:
    return current_app.config["OIDC_ISSUER"].rstrip("/")


def metadata(client=None) -> dict:
    """The provider's discovery document (read again when older than an hour); raises
    :class:`sso.SsoRefused` ("issuer") when it names another issuer than the configured
    one, ("provider") when it cannot be read."""
    client = client or _client()
    loaded = client.server_metadata.get("_loaded_at")
    if loaded is not None and time.time() - loaded > METADATA_MAX_AGE:
        client.server_metadata.clear()
    try:
        data = client.load_server_metadata()
    except Exception as exc:  # network, HTTP or JSON: the provider did not answer properly
        current_app.logger.warning("OIDC discovery failed: %s", exc)
        client.server_metadata.clear()
        raise sso.SsoRefused("provider") from exc
    if str(data.get("issuer", "")).rstrip("/") != _issuer():
        current_app.logger.warning("OIDC discovery names issuer %r, configured %r",
                                   data.get("issuer"), _issuer())
        client.server_metadata.clear()
        raise sso.SsoRefused("issuer")
    return data


def refusal_message(reason: str) -> str:
    name = sso.provider_name()
    messages = {
        "unverified": _("%(provider)s has not verified your e-mail address, so SkillMap cannot "
                        "tell which person you are. Verify the address with %(provider)s, or "
                        "ask the SkillMap administrator.", provider=name),
        "no_email": _("%(provider)s did not tell SkillMap your e-mail address. Ask the "
                      "SkillMap administrator.", provider=name),
        "no_person": _("Your e-mail address is not in SkillMap. An administrator must add you "
                       "as a person first: ask the HR office or the SkillMap administrator."),
        "ambiguous": _("Your e-mail address belongs to more than one person in SkillMap. Ask "
                       "the SkillMap administrator to correct it."),
        "disabled": _("Your SkillMap account is disabled. Ask the SkillMap administrator."),
        "ended": _("Your work relationship has ended, so your SkillMap account is closed."),
        "subject": _("This e-mail address is linked to another %(provider)s account. Ask the "
                     "SkillMap administrator.", provider=name),
        "no_account": _("There is no SkillMap account for your e-mail address. Ask the "
                        "SkillMap administrator for an invitation."),
        "issuer": _("Sign-in with %(provider)s is not set up correctly (the provider is not "
                    "the configured one). Ask the SkillMap administrator.", provider=name),
        "provider": _("Sign-in with %(provider)s did not work: the provider did not answer "
                      "properly. Try again later, or ask the SkillMap administrator.",
                      provider=name),
    }
    return messages[reason]


@bp.route("/login/sso", methods=["POST"])
@public
def sso_login():
    """Send the browser to the provider (state and nonce kept in this session)."""
    if not sso.configured():
        return redirect(url_for("auth.login"))
    client = _client()
    try:
        metadata(client)
    except sso.SsoRefused as exc:
        flash(refusal_message(exc.reason), "danger")
        return redirect(url_for("auth.login"))
    session[NEXT_KEY] = safe_next(request.args.get("next"), url_for("main.home"))
    return client.authorize_redirect(url_for("auth.sso_callback", _external=True))


@bp.route("/login/sso/callback")
@public
def sso_callback():
    """The provider sends the browser back here with a code (or an error)."""
    if not sso.configured():
        return redirect(url_for("auth.login"))
    if request.args.get("error"):
        flash(_("Sign-in with %(provider)s was cancelled.", provider=sso.provider_name()),
              "info")
        return redirect(url_for("auth.login"))
    client = _client()
    try:
        metadata(client)
        token = client.authorize_access_token()  # state, nonce, signature, iss, aud, exp
        claims = dict(token.get("userinfo") or {})
        if str(claims.get("iss", "")).rstrip("/") != _issuer():
            raise sso.SsoRefused("issuer")
        claims = _with_userinfo(client, token, claims)
        user = sso.sign_in(claims, request.remote_addr or "")
    except sso.SsoRefused as exc:
        db.session.commit()  # the refused attempt is recorded
        flash(refusal_message(exc.reason), "danger")
        return redirect(url_for("auth.login"))
    except AuthlibBaseError as exc:  # wrong or replayed state, bad token, provider error
        current_app.logger.warning("OIDC sign-in refused: %s", exc)
        flash(refusal_message("provider"), "danger")
        return redirect(url_for("auth.login"))
    db.session.commit()
    target = session.get(NEXT_KEY) or url_for("main.home")
    sessions.start(user)  # a clean session: the state, the old CSRF token are gone
    session["lang"] = user.locale
    session[SSO_KEY] = True
    if user.privacy_seen_at is None:
        return redirect(url_for("main.privacy", first=1))
    return redirect(safe_next(target, url_for("main.home")))


def _with_userinfo(client, token, claims: dict) -> dict:
    """Some providers leave the e-mail out of the ID token: then ask their userinfo
    endpoint with the access token, and take its e-mail only for the same subject."""
    if "email" in claims and "email_verified" in claims:
        return claims
    if not client.server_metadata.get("userinfo_endpoint"):
        return claims
    try:
        info = client.userinfo(token=token)
    except Exception as exc:  # network, HTTP or JSON
        current_app.logger.warning("OIDC userinfo failed: %s", exc)
        raise sso.SsoRefused("provider") from exc
    if str(info.get("sub", "")) != str(claims.get("sub", "")):
        raise sso.SsoRefused("provider")
    return {**claims, **{k: info[k] for k in ("email", "email_verified") if k in info}}


def end_session_url() -> str | None:
    """Where the browser goes after signing out of a single sign-on session: the
    provider's end_session_endpoint (it ends the provider's session too and comes back
    to the login page), or None when the provider has none."""
    if not sso.configured():
        return None
    try:
        data = metadata()
    except sso.SsoRefused:
        return None
    endpoint = data.get("end_session_endpoint")
    if not endpoint or origin(endpoint) != origin(_issuer()):
        return None  # the page's policy lets forms lead to the issuer's origin only
    query = urlencode({"client_id": current_app.config["OIDC_CLIENT_ID"],
                       "post_logout_redirect_uri": url_for("auth.login", _external=True)})
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"

