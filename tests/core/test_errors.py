"""Error pages: in the user's language, with the site's layout, never a traceback."""

from __future__ import annotations

import pytest

from tests.helpers import Browserless, login, text_of

TITLES = {
    400: ("Ongeldige aanvraag", "Bad request"),
    403: ("Geen toegang", "No access"),
    404: ("Pagina niet gevonden", "Page not found"),
    413: ("Te groot", "Too large"),
    429: ("Te veel pogingen", "Too many attempts"),
    500: ("Er ging iets mis", "Something went wrong"),
}


@pytest.fixture
def error_app(make_app):
    """The test app plus a route that fails, to see the 500 page."""
    app = make_app(MAX_CONTENT_LENGTH=64 * 1024, LOGIN_MAX_FAILURES=1)

    @app.route("/test-kapot")
    def broken():
        raise ZeroDivisionError("secret detail from the stack")

    with app.app_context():
        yield app


def _provoke(client, make_user, code):
    if code == 400:
        return client.post("/aanmelden", data={"email": "x@example.org"})
    if code == 403:
        login(client, make_user(role="member"))
        return client.get("/beheer/gebruikers")
    if code == 404:
        return client.get("/bestaat/niet")
    if code == 413:
        return client.post("/aanmelden", data={"email": "x" * 100_000})
    if code == 429:
        forms = Browserless(client)
        forms.post("/aanmelden", {"email": "nobody@example.org", "password": "wrong-password"})
        return forms.post("/aanmelden", {"email": "nobody@example.org", "password": "wrong-password"})
    if code == 500:
        return client.get("/test-kapot")
    raise AssertionError(code)


@pytest.mark.parametrize("code", sorted(TITLES))
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_error_page_in_the_users_language(error_app, make_user, code, lang):
    client = error_app.test_client()
    client.get(f"/taal/{lang}")
    response = _provoke(client, make_user, code)
    assert response.status_code == code
    assert response.mimetype == "text/html"
    html = text_of(response)
    dutch, english = TITLES[code]
    assert f'<html lang="{lang}">' in html
    assert f"<h1>{dutch if lang == 'nl' else english}</h1>" in html
    assert "Traceback" not in html and "secret detail" not in html and "ZeroDivisionError" not in html
    assert 'class="site-header"' in html  # the site's own layout


def test_500_is_logged_and_rolls_back(error_app, caplog):
    client = error_app.test_client()
    with caplog.at_level("ERROR"):
        assert client.get("/test-kapot").status_code == 500
    assert "unhandled error on GET /test-kapot" in caplog.text


def test_429_says_when_to_retry(error_app):
    client = error_app.test_client()
    response = _provoke(client, None, 429)
    assert int(response.headers["Retry-After"]) > 0


def test_json_errors_for_healthz_and_api(client):
    response = client.get("/api/bestaat-niet")
    assert response.status_code == 404
    assert response.is_json and response.json["error"] == "Pagina niet gevonden"


def test_method_not_allowed_page(client):
    response = client.get("/afmelden")
    assert response.status_code == 405
    assert "Niet toegestaan" in text_of(response)


def test_413_page_for_a_signed_in_user(error_app, make_user):
    """The page's own forms (sign out) must not parse the refused body again."""
    client = error_app.test_client()
    login(client, make_user())
    token = Browserless(client).token("/profiel")
    response = client.post("/profiel", data={"csrf_token": token, "name": "x" * 100_000})
    assert response.status_code == 413
    assert "Te groot" in text_of(response) and "Afmelden" in text_of(response)
