"""A real OpenID Connect provider for the tests: oidc-provider-mock in a thread.

It serves discovery, keys, the authorization form, the token and userinfo endpoints
and RP-initiated logout over HTTP; SkillMap talks to it as to any provider. Clients
must be registered (their secret is checked), nonces are required, users and their
claims are set through the provider's own API.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from urllib.parse import urlsplit

import httpx
import oidc_provider_mock
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.serving import make_server


class Provider:
    """A running provider: its issuer and helpers to use its API like a test would."""

    def __init__(self, base: str, issuer: str):
        self.base = base  # where its endpoints are served
        self.issuer = issuer  # what its discovery document says

    def register_client(self, redirect_uri: str) -> tuple[str, str]:
        resp = httpx.post(f"{self.base}/oauth2/clients",
                          json={"redirect_uris": [redirect_uri]}, timeout=10)
        resp.raise_for_status()
        data = resp.json()
        return data["client_id"], data["client_secret"]

    def set_user(self, sub: str, **claims) -> None:
        httpx.put(f"{self.base}/users/{sub}", json=claims, timeout=10).raise_for_status()

    def authorize(self, authorize_url: str, sub: str) -> str:
        """The user ``sub`` accepts on the provider's form; returns where it redirects."""
        assert authorize_url.startswith(self.base), authorize_url
        resp = httpx.post(authorize_url, data={"sub": sub}, timeout=10)
        assert resp.status_code == 302, resp.text[:500]
        return resp.headers["Location"]


@contextmanager
def running_provider(prefix: str = ""):
    """Start a provider on a free port. With ``prefix`` it is served under that path
    while its discovery document names the bare host as issuer: a provider whose
    issuer is not the configured one."""
    provider_app = oidc_provider_mock.app(require_client_registration=True,
                                          require_nonce=True)
    wsgi = provider_app
    if prefix:
        wsgi = DispatcherMiddleware(lambda env, start: (start("404 Not Found", []), [b""])[1],
                                    {prefix: provider_app})
    server = make_server("localhost", 0, wsgi, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                              daemon=True)
    thread.start()
    host = f"http://localhost:{server.server_port}"
    try:
        yield Provider(host + prefix, host)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")
