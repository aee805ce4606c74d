"""Practice pages: the public showcase needs no account; publication goes through four eyes."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.practices import services
from tests.helpers import Browserless

FIELDS = {
    "title": "Vraag van de week",
    "organisations": "JAC Noord",
    "show_organisations": False,
    "goal": "Meer **reacties**",
    "privacy": "Geen herkenbare foto's",
}


@pytest.fixture
def published(app, make_network, make_person):
    author = make_person()
    network = make_network("secret", members=[author], name="Geheim Gezelschap")
    practice = services.create_practice(network, author, FIELDS, {"target_group": ["youth"]})
    services.propose(practice, author)
    services.approve(practice, network.test_facilitator, may_review=True)
    db.session.commit()
    return practice


def test_public_showcase_needs_no_account(client, published):
    listing = client.get("/praktijken")
    assert listing.status_code == 200 and "Vraag van de week" in listing.get_data(as_text=True)
    page = client.get(f"/praktijken/{published.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<strong>reacties</strong>" in html
    assert "JAC Noord" not in html  # the authors did not allow the organisation name
    assert "Geheim Gezelschap" not in html  # nor does a secret network leak through its practices


def test_organisation_names_appear_when_allowed(client, published, app):
    published.show_organisations = True
    db.session.commit()
    assert "JAC Noord" in client.get(f"/praktijken/{published.id}").get_data(as_text=True)
    assert "JAC Noord" in client.get("/praktijken").get_data(as_text=True)


def test_filter_by_tag(client, published):
    assert "Vraag van de week" in client.get("/praktijken?target_group=youth").get_data(as_text=True)
    assert "Vraag van de week" not in client.get("/praktijken?target_group=elderly").get_data(as_text=True)
    assert client.get("/praktijken?target_group=<script>").status_code == 200


def test_unpublished_practices_are_not_public(client, app, make_network, make_person):
    author = make_person()
    network = make_network(members=[author])
    draft = services.create_practice(network, author, {"title": "Werkversie"}, {})
    db.session.commit()
    assert client.get(f"/praktijken/{draft.id}").status_code == 404
    assert "Werkversie" not in client.get("/praktijken").get_data(as_text=True)


def test_author_cannot_approve_through_the_web(make_network, make_user, client_for):
    author = make_user()
    network = make_network(facilitator=author)  # even a facilitator, when they are the author
    practice = services.create_practice(network, author, {"title": "Eigen werk"}, {})
    services.propose(practice, author)
    db.session.commit()
    client = client_for(author)
    forms = Browserless(client)
    url = f"/netwerken/{network.id}/praktijken/{practice.id}"
    response = forms.post(url + "/goedkeuren", {}, token_url=url, follow_redirects=True)
    assert "eigen praktijk niet goedkeuren" in response.get_data(as_text=True)
    db.session.refresh(practice)
    assert practice.status == "in_review"


def test_withdraw_through_the_web_removes_the_public_page(published, client_for, make_user, app):
    from app.practices.models import PracticeAuthor

    author = make_user()
    published_author = published.authors[0]
    db.session.delete(published_author)
    db.session.add(PracticeAuthor(practice_id=published.id, user_id=author.id))
    from app.networks.models import Network
    from app.networks.services import add_member, record_consent

    record_consent(add_member(db.session.get(Network, published.network_id), author))
    db.session.commit()
    client = client_for(author)
    url = f"/netwerken/{published.network_id}/praktijken/{published.id}"
    Browserless(client).post(url + "/intrekken", {}, token_url=url)
    assert app.test_client().get(f"/praktijken/{published.id}").status_code == 404
