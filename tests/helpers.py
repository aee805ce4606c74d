"""Test helpers: CSRF-aware form posts, login, free ports."""

from __future__ import annotations

import re
import socket

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def csrf_token_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


class Browserless:
    """Helpers for form posts through the test client, with the page's CSRF token."""

    def __init__(self, client):
        self.client = client

    def token(self, url: str = "/aanmelden") -> str:
        return csrf_token_from(self.client.get(url).get_data(as_text=True))

    def post(self, url: str, data: dict | None = None, token_url: str | None = None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.token(token_url or url))
        return self.client.post(url, data=data, **kwargs)


def login(client, user, password="correct horse battery"):
    """Log `user` in through the real login form."""
    forms = Browserless(client)
    response = forms.post("/aanmelden", {"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response
