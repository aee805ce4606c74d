"""What the menu, the home page and the personal overview show.

Features register providers on the app in their `init_app(app)`, so this module (and `core`)
never imports a feature. Profile and user-admin sections work the same way (the provider
gets a user). A section provider returns None to show nothing; a section is a dict
`{"title": str, "items": [{"label", "url", "meta"?}], "empty": str?, "more": (label, url)?}`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app, request
from flask_login import current_user

from app.core.urls import cached_url_for


@dataclass(frozen=True)
class NavEntry:
    label: object  # a lazy string
    endpoint: str
    visible: Callable[[object], bool]  # user -> bool
    order: int = 50


def _registry(app: Flask) -> dict:
    return app.extensions.setdefault(
        "wwwelzijn_overview", {"home": [], "overview": [], "nav": [], "profile": [], "user_admin": []}
    )


def register_home_section(app: Flask, provider: Callable[[], dict | None]) -> None:
    _registry(app)["home"].append(provider)


def register_overview_section(app: Flask, provider: Callable[[object], dict | None]) -> None:
    _registry(app)["overview"].append(provider)


def register_profile_section(app: Flask, provider: Callable[[object], dict | None]) -> None:
    """A section on the user's own profile page (provider gets the user)."""
    _registry(app)["profile"].append(provider)


def register_user_admin_section(app: Flask, provider: Callable[[object], dict | None]) -> None:
    """A section on the admin page of one user (provider gets that user)."""
    _registry(app)["user_admin"].append(provider)


def register_nav(app: Flask, entry: NavEntry) -> None:
    _registry(app)["nav"].append(entry)


def home_sections() -> list[dict]:
    return [s for s in (p() for p in _registry(current_app)["home"]) if s]


def overview_sections(user) -> list[dict]:
    return [s for s in (p(user) for p in _registry(current_app)["overview"]) if s]


def profile_sections(user) -> list[dict]:
    return [s for s in (p(user) for p in _registry(current_app)["profile"]) if s]


def user_admin_sections(user) -> list[dict]:
    return [s for s in (p(user) for p in _registry(current_app)["user_admin"]) if s]


def nav_items() -> list[dict]:
    """Menu entries for the current user, in order, with the active one marked."""
    entries = sorted(_registry(current_app)["nav"], key=lambda e: e.order)
    items = []
    for entry in entries:
        if not entry.visible(current_user):
            continue
        url = cached_url_for(entry.endpoint)
        active = request.path == url or (url != "/" and request.path.startswith(url))
        items.append({"label": entry.label, "url": url, "active": active})
    return items
