"""The main menu: blueprints add their entries, the base template shows the allowed ones."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, request, url_for
from flask_login import current_user


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object  # a lazy string
    order: int
    #: an extra condition on the signed-in user (e.g. "has a profile"), or None
    when: object = None


_ITEMS: list[NavItem] = []


def add(endpoint: str, label, order: int = 50, when=None) -> None:
    """Offer ``endpoint`` in the menu to whoever the view's ``@roles`` admit (and, if
    given, for whom ``when()`` is true)."""
    if all(i.endpoint != endpoint for i in _ITEMS):
        _ITEMS.append(NavItem(endpoint, label, order, when))


def visible_items() -> list[dict]:
    if not current_user.is_authenticated:
        return []
    out = []
    for item in sorted(_ITEMS, key=lambda i: i.order):
        view = current_app.view_functions.get(item.endpoint)
        allowed = getattr(view, "allowed_roles", None)
        if view is None or not allowed or (allowed != "public" and current_user.role not in allowed):
            continue
        if item.when is not None and not item.when():
            continue
        out.append({"url": url_for(item.endpoint), "label": item.label,
                    "active": request.endpoint == item.endpoint})
    return out


def init_app(app: Flask) -> None:
    app.context_processor(lambda: {"nav_items": visible_items})
