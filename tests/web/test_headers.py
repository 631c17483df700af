"""Security headers on every response (issue 12): walks every endpoint of the URL map."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from skillmap import create_app
from tests.conftest import AuthActions

ROOT = Path(__file__).resolve().parents[2]


def _urls(app):
    """Every rule with its int arguments set to 1 (a missing row still answers with headers)."""
    out = []
    for rule in app.url_map.iter_rules():
        values = {arg: (1 if "int" in type(rule._converters[arg]).__name__.lower()
                        or "Id" in type(rule._converters[arg]).__name__ else "x")
                  for arg in rule.arguments}
        if rule.endpoint == "static":
            values = {"filename": "css/skillmap.css"}
        if "export" in rule.endpoint and "fmt" in values:
            values["fmt"] = "csv"
        with app.test_request_context():
            from flask import url_for

            url = url_for(rule.endpoint, **values)
        method = "GET" if "GET" in rule.methods else "POST"
        out.append((rule.endpoint, method, url))
    return out


def _check(resp, signed_in: bool, endpoint: str):
    h = resp.headers
    csp = h.get("Content-Security-Policy", "")
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp, endpoint
    assert "frame-ancestors 'none'" in csp, endpoint
    assert h.get("X-Frame-Options") == "DENY", endpoint
    assert h.get("X-Content-Type-Options") == "nosniff", endpoint
    assert h.get("Referrer-Policy") == "same-origin", endpoint
    assert "camera=()" in h.get("Permissions-Policy", ""), endpoint
    assert "Server" not in h, endpoint
    assert "Strict-Transport-Security" not in h, endpoint  # HTTPS is off here
    if endpoint != "static":
        assert h.get("Cache-Control") == "no-store", (endpoint, signed_in)


@pytest.mark.parametrize("who", ["anonymous", "admin", "manager"])
def test_every_endpoint_sends_the_security_headers(app, client, users, taxonomy, who):
    if who != "anonymous":
        AuthActions(client).login(who)
    seen = 0
    for endpoint, method, url in _urls(app):
        if endpoint == "auth.logout":
            continue  # would end the session walked with
        resp = client.open(url, method=method)
        # /healthz says 503 here on purpose: the test database is not built by migrations
        assert resp.status_code < 500 or endpoint == "health.healthz", (endpoint, url,
                                                                        resp.status_code)
        _check(resp, who != "anonymous", endpoint)
        seen += 1
    assert seen > 40


def test_error_pages_carry_them_too(client, users):
    for resp in (client.get("/no-such-page"), client.post("/login", data={})):
        _check(resp, False, "error")


def test_https_redirects_plain_http_and_sends_hsts(database_url):
    app = create_app({"TESTING": True, "SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": database_url,
                      "HTTPS": True})
    client = app.test_client()
    resp = client.get("/login?lang=en")
    assert resp.status_code == 308
    assert resp.headers["Location"] == "https://localhost/login?lang=en"
    secure = client.get("/login", base_url="https://localhost")
    assert secure.status_code == 200
    assert "max-age=31536000" in secure.headers["Strict-Transport-Security"]
    assert client.get("/healthz").status_code != 308  # the proxy's health check stays on http


@pytest.mark.parametrize("proxies,forwarded,redirected", [(0, "https", True), (1, "https", False),
                                                           (1, "http", True)])
def test_proxy_fix_is_configurable(database_url, proxies, forwarded, redirected):
    app = create_app({"TESTING": True, "SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": database_url,
                      "HTTPS": True, "PROXY_FIX": proxies})
    resp = app.test_client().get("/login", headers={"X-Forwarded-Proto": forwarded})
    assert (resp.status_code == 308) == redirected


def test_proxy_fix_from_the_environment():
    from skillmap.config import from_environment

    assert from_environment({"SKILLMAP_PROXY_FIX": "1"}) == {"PROXY_FIX": 1}
    assert from_environment({"SKILLMAP_PROXY_FIX": "yes"}) == {"PROXY_FIX": 1}
    assert from_environment({"SKILLMAP_PROXY_FIX": "2"}) == {"PROXY_FIX": 2}


@pytest.mark.parametrize("path", sorted(p for p in (ROOT / "templates").rglob("*.html")
                                       if "email" not in p.relative_to(ROOT / "templates").parts),
                         ids=lambda p: str(p.relative_to(ROOT / "templates")))
def test_templates_have_no_inline_script_or_style(path):
    """The CSP refuses inline code: scripts and styles come from static files. (E-mails are
    not pages: mail programs need their styles inline, and no CSP applies to them.)"""
    html = path.read_text(encoding="utf-8")
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>"
    assert not re.search(r"<style\b", html), "inline <style>"
    assert not re.search(r"\sstyle=", html), "style attribute"
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"
