import json
import re

import pytest

from tests.helpers import login


@pytest.fixture
def token(seeded, client, make_user, forms):
    login(client, make_user(role="researcher"))
    html = forms.post("/api-tokens/", {"name": "R op mijn laptop"}).get_data(as_text=True)
    match = re.search(r'<code class="token">(wwz_[^<]+)</code>', html)
    assert match, html[:2000]
    return match.group(1)


def api(client, url, token):
    return client.get(url, headers={"Authorization": f"Bearer {token}"})


def test_token_is_shown_once_and_only_its_hash_is_stored(token, client):
    from app.exports.models import ApiToken, hash_api_token
    from app.extensions import db

    stored = db.session.scalars(db.select(ApiToken)).one()
    assert stored.token_hash == hash_api_token(token) and token not in (stored.token_hash, stored.hint)
    assert token not in client.get("/api-tokens/").get_data(as_text=True)


def test_api_lists_surveys_and_results(token, client):
    body = api(client, "/api/v1/surveys", token).get_json()
    assert body["surveys"][0]["slug"] == "testbevraging"
    assert body["surveys"][0]["responses"] == 40
    results = api(client, "/api/v1/surveys/testbevraging/results?soort_dienst=1", token).get_json()
    assert results["total"] == 20
    service = next(v for v in results["variables"] if v["variable"] == "soort_dienst")
    assert [c["count"] for c in service["counts"]] == [20, 0, 0]
    assert api(client, "/api/v1/surveys/onbestaand/results", token).status_code == 404


def test_responses_are_keyset_paginated(token, client):
    first = api(client, "/api/v1/surveys/testbevraging/responses?per_page=15", token).get_json()
    assert len(first["responses"]) == 15 and first["next_page"] == first["responses"][-1]["response_id"]
    seen = [r["response_id"] for r in first["responses"]]
    page = first
    while page["next_page"] is not None:
        page = api(
            client, f"/api/v1/surveys/testbevraging/responses?per_page=15&page={page['next_page']}", token
        ).get_json()
        seen += [r["response_id"] for r in page["responses"]]
    assert len(seen) == 40 and seen == sorted(seen)
    assert api(client, "/api/v1/surveys/testbevraging/responses?page=x", token).status_code == 400


def test_missing_wrong_and_revoked_tokens_get_401(token, client, forms):
    assert client.get("/api/v1/surveys").status_code == 401
    assert api(client, "/api/v1/surveys", "wwz_nope").status_code == 401
    from app.exports.models import ApiToken
    from app.extensions import db

    stored = db.session.scalars(db.select(ApiToken)).one()
    response = forms.post(f"/api-tokens/{stored.id}/intrekken", {}, token_url="/api-tokens/")
    assert response.status_code == 302
    assert api(client, "/api/v1/surveys", token).status_code == 401


def test_members_cannot_create_tokens(client, make_user, app):
    login(client, make_user(role="member"))
    assert client.get("/api-tokens/").status_code == 403


def test_tokens_of_a_user_who_is_no_longer_staff_stop_working(token, client):
    from app.accounts.models import User
    from app.extensions import db

    user = db.session.scalars(db.select(User).where(User.role == "researcher")).one()
    user.role = "member"
    db.session.commit()
    assert api(client, "/api/v1/surveys", token).status_code == 401


def test_openapi_document_lists_the_paths(client, app):
    response = client.get("/api/v1/openapi.json")
    doc = json.loads(response.get_data())
    assert doc["openapi"].startswith("3.1")
    assert set(doc["paths"]) == {"/surveys", "/surveys/{slug}/results", "/surveys/{slug}/responses"}
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
