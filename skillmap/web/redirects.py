"""The one place that decides where a ``next`` parameter may send the browser."""
from __future__ import annotations

from urllib.parse import urlsplit


def safe_next(target: str | None, fallback: str) -> str:
    """``target`` if it is a path on this site, else ``fallback``.

    Refused: absolute and scheme-relative URLs (``https://evil.example``,
    ``//evil.example``), backslashes that browsers read as slashes (``/\\evil.example``)
    and any control character or space.

    >>> safe_next("/projects/open?page=2", "/")
    '/projects/open?page=2'
    >>> safe_next("https://evil.example", "/")
    '/'
    """
    if not target or not isinstance(target, str) or len(target) > 2000:
        return fallback
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return fallback
    if any(ord(ch) < 33 or ord(ch) == 127 for ch in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return fallback
    return target
