"""Security headers, cookie flags, production settings, safe redirects."""

from __future__ import annotations

import pytest

from app import create_app
from config import DEFAULT_SECRET_KEY, ProductionConfig
from tests.conftest import _test_settings
from tests.helpers import Browserless, login


def test_security_headers_on_every_page(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers  # only in production


def test_error_pages_carry_the_headers_too(client):
    response = client.get("/bestaat-niet")
    assert response.status_code == 404
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_pages_are_not_stored_when_signed_in(client, make_user):
    assert client.get("/aanmelden").headers["Cache-Control"] == "no-cache"
    login(client, make_user())
    assert client.get("/").headers["Cache-Control"] == "no-store"
    assert client.get("/profiel").headers["Cache-Control"] == "no-store"


def _session_cookie_header(response) -> str:
    cookies = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("wwwelzijn_session=")]
    assert cookies, response.headers
    return cookies[-1]


def test_session_cookie_is_httponly_and_samesite_lax(client, make_user):
    user = make_user()
    response = login(client, user)
    cookie = _session_cookie_header(response)
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # tests run over http


def _production_settings(**overrides) -> dict:
    settings = {k: getattr(ProductionConfig, k) for k in dir(ProductionConfig) if k.isupper()}
    settings.pop("SQLALCHEMY_DATABASE_URI")  # the test database
    settings.update(overrides)
    return settings


def test_production_session_cookie_is_secure(make_app, make_user):
    app = make_app(**_production_settings(SECRET_KEY="x" * 48, MAIL_TRANSPORT="memory"))
    assert app.config["SESSION_COOKIE_SECURE"] is True
    with app.app_context():
        from app.accounts.services import create_user
        from app.extensions import db

        user = create_user("prod@example.org", "Prod", "member", "correct horse battery")
        db.session.commit()
        client = app.test_client()
        response = login(client, user)
    cookie = _session_cookie_header(response)
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "max-age" in client.get("/aanmelden").headers["Strict-Transport-Security"]


@pytest.mark.parametrize("key", [None, "", DEFAULT_SECRET_KEY, "too-short"])
def test_production_refuses_a_missing_or_default_secret_key(key):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({**_production_settings(SECRET_KEY=key), "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_production_settings_class_refuses_the_default_key():
    class Production(ProductionConfig):
        SECRET_KEY = DEFAULT_SECRET_KEY
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    with pytest.raises(RuntimeError):
        create_app(Production)


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "\\\\evil.example",
        "https:evil.example",
        " //evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
    ],
)
def test_login_refuses_open_redirects(client, make_user, target):
    user = make_user()
    response = Browserless(client).post(
        "/aanmelden", {"email": user.email, "password": "correct horse battery", "next": target}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_login_follows_a_local_next(client, make_user):
    user = make_user()
    response = Browserless(client).post(
        "/aanmelden",
        {"email": user.email, "password": "correct horse battery", "next": "/profiel?tab=1"},
        token_url="/aanmelden?next=/profiel",
    )
    assert response.headers["Location"] == "/profiel?tab=1"


def test_login_page_carries_next_from_the_query_string(client):
    assert 'value="/profiel"' in client.get("/aanmelden?next=/profiel").get_data(as_text=True)


def test_language_switch_refuses_open_redirects(client):
    response = client.get("/taal/en?next=https://evil.example/")
    assert response.headers["Location"] == "/"
    assert client.get("/taal/nl?next=/privacy").headers["Location"] == "/privacy"


def test_anonymous_user_is_sent_to_login_with_next(client):
    response = client.get("/profiel")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/aanmelden?next=")


def test_test_settings_are_not_production():
    assert _test_settings()["ENV_NAME"] == "testing"
