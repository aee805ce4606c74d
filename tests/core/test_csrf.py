"""The app-wide CSRF check: every non-GET request needs a valid token of the user's own session."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from wtforms.csrf.session import SessionCSRF

from tests.helpers import Browserless, login, text_of


def test_post_without_token_is_refused_with_a_message(client, make_user):
    user = make_user()
    response = client.post("/aanmelden", data={"email": user.email, "password": "correct horse battery"})
    assert response.status_code == 400
    assert "Je sessie is verlopen of het formulier is ongeldig" in text_of(response)
    assert client.get("/profiel").status_code == 302  # not signed in


def test_post_with_a_token_of_another_session_is_refused(app, client, make_user):
    user = make_user()
    other = app.test_client()
    foreign = Browserless(other).token()
    Browserless(client).token()  # this client has its own session secret
    response = client.post(
        "/aanmelden", data={"email": user.email, "password": "correct horse battery", "csrf_token": foreign}
    )
    assert response.status_code == 400
    assert client.get("/profiel").status_code == 302


def test_post_with_a_made_up_token_is_refused(client):
    Browserless(client).token()
    response = client.post("/aanmelden", data={"csrf_token": "20991231235959##" + "0" * 40})
    assert response.status_code == 400


def test_post_with_an_expired_token_is_refused(client, make_user, monkeypatch):
    user = make_user()
    token = Browserless(client).token()
    later = datetime.now() + timedelta(hours=13)  # CSRF_TIME_LIMIT is 12 hours
    monkeypatch.setattr(SessionCSRF, "now", lambda self: later)
    response = client.post(
        "/aanmelden", data={"email": user.email, "password": "correct horse battery", "csrf_token": token}
    )
    assert response.status_code == 400


def test_token_in_header_is_accepted(client, make_user):
    """Scripts send the token as X-CSRFToken (forms carry their own field as well)."""
    login(client, make_user())
    token = Browserless(client).token("/profiel")
    response = client.post("/afmelden", headers={"X-CSRFToken": token})
    assert response.status_code == 302
    assert client.get("/profiel").status_code == 302  # signed out


@pytest.mark.parametrize("url", ["/afmelden", "/profiel", "/beheer/gebruikers/uitnodigen"])
def test_signed_in_posts_need_a_token_too(client, make_user, url):
    user = make_user(role="admin")
    login(client, user)
    response = client.post(url, data={"name": "X", "email": "x@example.org"})
    assert response.status_code == 400
    assert client.get("/profiel").status_code == 200  # still signed in: logout was refused


def test_a_token_for_a_session_without_a_csrf_value_is_refused_and_leaves_the_session_alone(app, client):
    response = client.post("/aanmelden", data={"csrf_token": "20991231235959##" + "0" * 40})
    assert response.status_code == 400
    assert "Set-Cookie" not in response.headers


def test_a_token_whose_expiry_was_changed_is_refused(client):
    token = Browserless(client).token()
    expires, mac = token.split("##", 1)
    response = client.post("/aanmelden", data={"csrf_token": f"2099{expires[4:]}##{mac}"})
    assert response.status_code == 400


def test_the_template_token_is_the_token_a_form_carries(app):
    from app.core.forms import CsrfOnlyForm, csrf_token

    with app.test_request_context("/"):
        from_template = csrf_token()
        from_form = CsrfOnlyForm(formdata=None).csrf_token.current_token
        assert len(from_template) == len(from_form) and "##" in from_template
        form = CsrfOnlyForm(formdata=None)
        form.csrf_token.data = from_template
        form.csrf_token.raw_data = [from_template]
        assert form.csrf_token.validate(form)  # WTForms' own check accepts it
