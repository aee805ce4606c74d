"""Invitation pages: CSRF tokens bound to the invitation link (app.core.forms.bind_csrf_to_link)."""

import re

import pytest

from tests.helpers import login

from flow_sample import complete  # isort: skip

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
ANSWERS = {
    "q-soort": "1",
    "q-regio": "2",
    "q-kanalen": ["1"],
    "actie": "volgende",
    "getoond": ["soort", "soort_anders", "regio", "kanalen"],
}


@pytest.fixture
def invitation(flow_survey, make_invitation):
    survey = flow_survey("anonymous")
    _invitation, token = make_invitation(survey)
    return survey, token


def token_of(response) -> str:
    return CSRF_RE.search(response.get_data(as_text=True)).group(1)


def session_cookie(client):
    return client.get_cookie("wwwelzijn_session")


def test_a_respondent_gets_no_session_cookie_until_submitting(app, invitation, walker):
    _survey, token = invitation
    client = app.test_client()
    walk = walker(client, f"/u/{token}")
    complete(walk)  # every page posted with the tokens of the pages, no cookie needed
    summary = walk.get(stap="overzicht")
    assert summary.status_code == 200 and session_cookie(client) is None
    assert walk.submit().status_code == 302
    assert session_cookie(client) is not None  # the answers to compare, kept after submitting
    assert "Bedankt!" in walk.get().get_data(as_text=True)


def test_a_link_token_does_not_post_to_another_link(app, flow_survey, invitation, make_invitation):
    survey, token = invitation
    _other, other_token = make_invitation(survey)
    client = app.test_client()
    theirs = token_of(client.get(f"/u/{other_token}", query_string={"pagina": "profiel"}))
    refused = client.post(
        f"/u/{token}", query_string={"pagina": "profiel"}, data={**ANSWERS, "csrf_token": theirs}
    )
    assert refused.status_code == 400
    own = token_of(client.get(f"/u/{token}", query_string={"pagina": "profiel"}))
    accepted = client.post(
        f"/u/{token}", query_string={"pagina": "profiel"}, data={**ANSWERS, "csrf_token": own}
    )
    assert accepted.status_code == 302


def test_a_link_token_does_not_post_elsewhere(app, invitation, make_user):
    _survey, token = invitation
    client = app.test_client()
    link_token = token_of(client.get(f"/u/{token}", query_string={"pagina": "profiel"}))
    user = make_user()
    refused = client.post("/aanmelden", data={"email": user.email, "password": "x", "csrf_token": link_token})
    assert refused.status_code == 400


def test_a_signed_in_user_needs_their_sessions_token(app, invitation, make_user):
    _survey, token = invitation
    stranger = app.test_client()  # fetched by someone else: bound to the link only
    link_token = token_of(stranger.get(f"/u/{token}", query_string={"pagina": "profiel"}))
    client = app.test_client()
    login(client, make_user(role="member"))
    own = token_of(client.get(f"/u/{token}", query_string={"pagina": "profiel"}))
    assert own != link_token
    page = {"pagina": "profiel"}
    assert (
        client.post(f"/u/{token}", query_string=page, data={**ANSWERS, "csrf_token": link_token}).status_code
        == 400
    )
    assert (
        client.post(f"/u/{token}", query_string=page, data={**ANSWERS, "csrf_token": own}).status_code == 302
    )


def test_a_session_token_still_posts_on_an_invitation_page(app, invitation):
    _survey, token = invitation
    client = app.test_client()
    session_token = token_of(client.get("/aanmelden"))  # the session now has its own secret
    page = {"pagina": "profiel"}
    response = client.post(f"/u/{token}", query_string=page, data={**ANSWERS, "csrf_token": session_token})
    assert response.status_code == 302
