"""What the content packages (meetings, practices, threads) plug into the networks package.

The networks package never imports a content package. Each of them registers one `ContentHooks`
in its `init_app(app)`; digests, member exports, anonymisation on leaving and search results then
cover every kind of content without knowing it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from flask import Flask, current_app


@dataclass(frozen=True)
class DigestItem:
    """One line of a digest: a title and a link, never the content itself."""

    label: str  # e.g. "Nieuw gesprek", translated
    title: str
    url: str  # path on this site, e.g. /netwerken/3/gesprekken/7
    at: datetime


@dataclass(frozen=True)
class ContentHooks:
    """Callbacks of one content package; each is optional.

    - `digest(network, since, until) -> list[DigestItem]`: what is new in the network.
    - `export(user) -> list[dict]`: everything `user` wrote, in every network; each dict has at
      least "type", "network", "title", "created_at" (ISO string) and "text".
    - `anonymise(user, network) -> int`: detach `user`'s name from what they wrote in `network`
      (shown as "Voormalig lid" afterwards); returns how many objects changed.
    - `search_kinds`: kind -> (label, url builder taking (network_id, object_id)).
    - `tab`: (label, endpoint taking network_id) for the network's sub-menu, ordered by `order`.
    - `summary(access) -> section dict | None`: a block on the network's home page for members
      (same shape as the overview sections of app.main.overview).
    """

    name: str
    tab: tuple[object, str] | None = None
    order: int = 50
    summary: Callable | None = None
    digest: Callable | None = None
    export: Callable | None = None
    anonymise: Callable | None = None
    search_kinds: dict[str, tuple[object, Callable[[int, int], str]]] = field(default_factory=dict)


def register_content(app: Flask, hooks: ContentHooks) -> None:
    app.extensions.setdefault("network_content", []).append(hooks)


def content_hooks() -> list[ContentHooks]:
    return sorted(current_app.extensions.get("network_content", []), key=lambda h: h.order)


def search_kind(kind: str) -> tuple[object, Callable[[int, int], str]] | None:
    for hooks in content_hooks():
        if kind in hooks.search_kinds:
            return hooks.search_kinds[kind]
    return None
