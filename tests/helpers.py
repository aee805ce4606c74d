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


SECOND_STEP_URL = "/aanmelden/tweede-stap"
SETUP_URL = "/profiel/tweestapsverificatie"
SECRET_RE = re.compile(r'<code class="totp-secret"[^>]*>([A-Z2-7 ]+)</code>')


def totp_code(user, allow_reuse: bool = True) -> str:
    """The current code of `user`'s authenticator app (the test knows the stored secret).

    With `allow_reuse` the account's replay marker is cleared first: tests log one user in
    several times within 30 seconds, and the replay rule has its own tests in tests/twofactor.
    """
    import pyotp

    from app.extensions import db
    from app.twofactor import services

    credential = services.get_credential(user)
    assert credential is not None, f"user {user.id} has no authenticator app"
    if allow_reuse and credential.last_used_step is not None:
        credential.last_used_step = None
        db.session.commit()
    return pyotp.TOTP(services.decrypt_secret(credential.secret_encrypted)).now()


def secret_on_setup_page(html: str) -> str:
    match = SECRET_RE.search(html)
    assert match, "no secret on the set-up page"
    return match.group(1).replace(" ", "")


def login(client, user, password="correct horse battery"):
    """Log `user` in through the real login form, and the second step when the account needs it.

    Staff made by `make_user` have an authenticator app: the second step gets its current code.
    Staff without one (e.g. invited) go through the set-up; that answer is the recovery codes page.
    """
    forms = Browserless(client)
    response = forms.post("/aanmelden", {"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    location = response.headers["Location"]
    if location.startswith(SECOND_STEP_URL):
        response = forms.post(SECOND_STEP_URL, {"code": totp_code(user)})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
    elif location.startswith(SETUP_URL):
        import pyotp

        html = client.get(SETUP_URL).get_data(as_text=True)
        code = pyotp.TOTP(secret_on_setup_page(html)).now()
        response = client.post(SETUP_URL, data={"code": code, "csrf_token": csrf_token_from(html)})
        assert response.status_code == 200 and "herstelcodes" in response.get_data(as_text=True)
    return response


LINK_RE = re.compile(r"https?://\S+")


def deliver_mail(app) -> list:
    """Deliver the mail queue (memory transport in tests) and return every message sent so far."""
    from app.core.mail import deliver_queued

    deliver_queued()
    return list(app.extensions.get("mail_outbox", []))


def mail_text(message) -> str:
    """The plain-text body of an e-mail message."""
    return message.get_body(("plain",)).get_content()


def link_in(message) -> str:
    """The path of the (only) link in an e-mail, to open with the test client or a browser."""
    from urllib.parse import urlsplit

    links = LINK_RE.findall(mail_text(message))
    assert len(links) == 1, links
    return urlsplit(links[0]).path


def text_of(response) -> str:
    return response.get_data(as_text=True)
