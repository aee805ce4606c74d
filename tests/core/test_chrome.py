"""The site header and footer: kept per language for anonymous visitors, built for signed-in users."""

from __future__ import annotations

import re
from html import unescape

import pytest

from tests.helpers import login, text_of

LANGUAGE_LINK = re.compile(r'<a href="([^"]*/taal/en[^"]*)" lang="en"')


def language_link(response) -> str:
    return unescape(LANGUAGE_LINK.search(text_of(response)).group(1))


def test_the_anonymous_language_link_comes_back_to_each_page(client):
    assert language_link(client.get("/")) == "/taal/en?next=/"
    assert language_link(client.get("/privacy?x=1&y=2")) == "/taal/en?next=/privacy?x%3D1%26y%3D2"
    assert language_link(client.get("/privacy")) == "/taal/en?next=/privacy"


def test_the_anonymous_header_follows_the_language_and_the_active_entry(client):
    dutch = text_of(client.get("/"))
    assert "Aanmelden" in dutch and "Naar de inhoud" in dutch
    client.get("/taal/en?next=/")
    english = text_of(client.get("/"))
    assert "Sign in" in english
    assert "Naar de inhoud" not in english
    assert 'lang="nl" hreflang="nl"' in english and 'lang="en" hreflang="en"' not in english


def test_a_signed_in_user_gets_their_own_header(client, make_user):
    client.get("/")  # the anonymous header is kept
    user = make_user(role="member", name="Marie Testpersoon")
    login(client, user)
    page = text_of(client.get("/privacy"))
    assert "Marie Testpersoon" in page
    assert 'name="csrf_token"' in page
    client.post(
        "/afmelden", data={"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)}
    )
    assert "Marie Testpersoon" not in text_of(client.get("/privacy"))


@pytest.mark.parametrize(
    "path", ["/", "/privacy?x=1&y=2", "/u/abc?pagina=v%C3%A9&stap=a+b", "/e/x/verder/y?q=%2F%3F%23!$'()*,;:@"]
)
def test_the_language_link_is_the_one_url_for_builds(app, path):
    from flask import url_for

    from app.core.chrome import language_url
    from app.core.urls import current_path

    for base_url in ("http://localhost/", "http://localhost/enquete/"):
        with app.test_request_context(path, base_url=base_url):
            assert language_url("en") == url_for("main.set_language", code="en", next=current_path())
            assert language_url("nl").startswith(
                base_url.removeprefix("http://localhost").rstrip("/") + "/taal/nl?"
            )


def test_the_session_serializer_is_kept_per_secret_key(app, client):
    from app.core.security import SessionInterface

    interface = app.session_interface
    assert isinstance(interface, SessionInterface)
    first = interface.get_signing_serializer(app)
    assert interface.get_signing_serializer(app) is first
    client.get("/taal/en?next=/")
    assert "Sign in" in client.get("/").get_data(as_text=True)  # the session still works
    app.secret_key = "another secret key of at least thirty-two characters"
    assert interface.get_signing_serializer(app) is not first
    assert "Aanmelden" in client.get("/").get_data(as_text=True)  # the old cookie no longer counts
