"""Two-factor helpers: the password step alone, and codes an authenticator app would show."""

from __future__ import annotations

import time

import pyotp

from app.twofactor import services
from tests.helpers import Browserless, secret_on_setup_page, text_of

PASSWORD = "correct horse battery"
SECOND_STEP = "/aanmelden/tweede-stap"
SETUP = "/profiel/tweestapsverificatie"


def password_step(client, user, password=PASSWORD, next_url=None):
    """Post the login form only; the answer is the redirect to the second step (or set-up)."""
    url = f"/aanmelden?next={next_url}" if next_url else "/aanmelden"
    data = {"email": user.email, "password": password}
    if next_url:
        data["next"] = next_url
    return Browserless(client).post("/aanmelden", data, token_url=url)


def app_for(user) -> pyotp.TOTP:
    """The authenticator app of `user` (the test reads the stored secret)."""
    credential = services.get_credential(user)
    return pyotp.TOTP(services.decrypt_secret(credential.secret_encrypted))


def send_code(client, code: str):
    """Post a code to the second step (the token comes from the login page: the second step
    itself redirects once the marker is gone)."""
    return Browserless(client).post(SECOND_STEP, {"code": code}, token_url="/aanmelden")


def set_up_app(client, url=SETUP) -> tuple[pyotp.TOTP, object]:
    """Read the set-up page like a person with a phone and confirm it; returns (app, answer)."""
    html = text_of(client.get(url))
    totp = pyotp.TOTP(secret_on_setup_page(html))
    response = Browserless(client).post(url, {"code": totp.now()})
    return totp, response


def next_step_code(totp: pyotp.TOTP) -> str:
    """The code of the next 30-second step (accepted, and later than the one just used)."""
    return totp.at(time.time() + totp.interval)
