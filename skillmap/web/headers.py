"""Security headers on every response, HTTPS, and the proxy in front.

Scripts and styles come only from SkillMap's own files (no inline code), no site may frame
a page, browsers must not guess content types, referrers stay on the site and powerful
browser features are off. Pages other than static files are never stored by browsers or
proxies (``no-store``): they show personal data. With ``HTTPS`` on, plain-http requests are
redirected and browsers are told to use https only (HSTS). ``PROXY_FIX`` trusts that many
proxies' ``X-Forwarded-*`` headers (scheme, host, client address).
"""
from __future__ import annotations

from flask import Flask, current_app, redirect, request
from werkzeug.middleware.proxy_fix import ProxyFix

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def origin(url: str) -> str | None:
    """``https://host[:port]`` of a URL, or None."""
    from urllib.parse import urlsplit

    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def csp_for(config) -> str:
    """The policy; with single sign-on, forms may also lead to the provider's origin (the
    sign-in button and the sign-out redirect to it: browsers apply form-action to the
    redirects that follow a form)."""
    from skillmap.services import sso

    provider = origin(config.get("OIDC_ISSUER")) if sso.configured(config) else None
    if provider is None:
        return CSP
    return CSP.replace("form-action 'self'", f"form-action 'self' {provider}")


PERMISSIONS = ("accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
               "microphone=(), payment=(), usb=(), interest-cohort=()")
HSTS = "max-age=31536000; includeSubDomains"


def _to_https():
    cfg = current_app.config
    if not cfg.get("HTTPS") or request.is_secure or request.path in cfg["HTTPS_EXEMPT_PATHS"]:
        return None
    return redirect(request.url.replace("http://", "https://", 1), code=308)


def _secure(response):
    h = response.headers
    h["Content-Security-Policy"] = current_app.extensions.get("skillmap_csp", CSP)
    h["X-Frame-Options"] = "DENY"
    h["X-Content-Type-Options"] = "nosniff"
    h["Referrer-Policy"] = "same-origin"
    h["Permissions-Policy"] = PERMISSIONS
    h["Cross-Origin-Opener-Policy"] = "same-origin"
    if current_app.config.get("HTTPS"):
        h["Strict-Transport-Security"] = HSTS
    if request.endpoint != "static":
        h["Cache-Control"] = "no-store"
        h.pop("Expires", None)
    h.pop("Server", None)
    return response


def init_app(app: Flask) -> None:
    proxies = int(app.config.get("PROXY_FIX") or 0)
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies,
                                x_port=proxies, x_prefix=proxies)
    app.extensions["skillmap_csp"] = csp_for(app.config)
    app.before_request(_to_https)
    app.after_request(_secure)
