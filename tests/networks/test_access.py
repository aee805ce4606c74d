"""Who sees what: secret networks are invisible to outsiders, and another network's ids give 404."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from app.core.models import utcnow
from app.extensions import db
from app.meetings.services import add_action, plan_meeting, save_notes
from app.practices.services import add_comment, create_practice
from app.threads.services import reply, start_thread


def _content(network, author):
    """One object of every kind in `network`; returns kind -> id."""
    meeting = plan_meeting(network, author, "Overleg", utcnow() + timedelta(days=3), 90, "Gent", "", "")
    note = save_notes(meeting, author, [author.id], "Besproken", "Beslist")
    action = add_action(meeting, author, "Iets doen", author.id, date.today())
    practice = create_practice(network, author, {"title": "Praktijk"}, {})
    comment = add_comment(practice, author, "Goed idee")
    thread = start_thread(network, author, "Gesprek", "Eerste bericht")
    post = reply(thread, author, "Antwoord")
    db.session.commit()
    return {
        "meeting": meeting.id,
        "note": note.id,
        "action": action.id,
        "practice": practice.id,
        "comment": comment.id,
        "thread": thread.id,
        "post": post.id,
    }


@pytest.fixture
def world(make_network, make_user, client_for):
    """Network A with `member`; secret network B with its own content; member is not in B."""
    member = make_user()
    mine = make_network("closed", members=[member])
    theirs = make_network("secret", name="Zilveren Uil")
    ids = _content(theirs, theirs.test_facilitator)
    own = _content(mine, member)
    return {
        "member": member,
        "mine": mine,
        "theirs": theirs,
        "ids": ids,
        "own": own,
        "client": client_for(member),
    }


# URL of each object kind, built with a network id and that object's id (GET and POST routes).
OBJECT_URLS = {
    "meeting": [
        ("GET", "/netwerken/{n}/bijeenkomsten/{id}"),
        ("GET", "/netwerken/{n}/bijeenkomsten/{id}/verslag"),
        ("POST", "/netwerken/{n}/bijeenkomsten/{id}/acties"),
    ],
    "note": [("GET", "/netwerken/{n}/verslagen/{id}")],
    "action": [("GET", "/netwerken/{n}/acties/{id}"), ("POST", "/netwerken/{n}/acties/{id}/klaar")],
    "practice": [
        ("GET", "/netwerken/{n}/praktijken/{id}"),
        ("GET", "/netwerken/{n}/praktijken/{id}/bewerken"),
        ("GET", "/netwerken/{n}/praktijken/{id}/versies"),
        ("POST", "/netwerken/{n}/praktijken/{id}/voorstellen"),
        ("POST", "/netwerken/{n}/praktijken/{id}/reacties"),
    ],
    "comment": [
        ("GET", "/netwerken/{n}/reacties/{id}"),
        ("POST", "/netwerken/{n}/reacties/{id}/verwijderen"),
    ],
    "thread": [
        ("GET", "/netwerken/{n}/gesprekken/{id}"),
        ("POST", "/netwerken/{n}/gesprekken/{id}/antwoorden"),
    ],
    "post": [
        ("GET", "/netwerken/{n}/berichten/{id}"),
        ("GET", "/netwerken/{n}/berichten/{id}/melden"),
        ("POST", "/netwerken/{n}/berichten/{id}/verbergen"),
    ],
}
CASES = [(kind, method, url) for kind, urls in OBJECT_URLS.items() for method, url in urls]


def _request(client, method, url):
    if method == "GET":
        return client.get(url)
    from tests.helpers import Browserless

    token = Browserless(client).token("/netwerken/")
    return client.post(url, data={"csrf_token": token, "body": "x", "reason": "x"})


@pytest.mark.parametrize(("kind", "method", "url"), CASES)
def test_another_networks_object_id_gives_404(world, kind, method, url):
    """The member's own network id with an object id from another network: 404, nothing changes."""
    response = _request(world["client"], method, url.format(n=world["mine"].id, id=world["ids"][kind]))
    assert response.status_code == 404


@pytest.mark.parametrize(("kind", "method", "url"), CASES)
def test_objects_of_a_secret_network_give_404_to_outsiders(world, kind, method, url):
    response = _request(world["client"], method, url.format(n=world["theirs"].id, id=world["ids"][kind]))
    assert response.status_code == 404


@pytest.mark.parametrize(("kind", "method", "url"), [c for c in CASES if c[1] == "GET"])
def test_own_objects_open(world, kind, method, url):
    response = world["client"].get(url.format(n=world["mine"].id, id=world["own"][kind]))
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert f"/netwerken/{world['mine'].id}/" in response.headers["Location"]


NETWORK_URLS = [
    "/netwerken/{n}",
    "/netwerken/{n}/leden",
    "/netwerken/{n}/bewerken",
    "/netwerken/{n}/logboek",
    "/netwerken/{n}/zoeken?q=gesprek",
    "/netwerken/{n}/bijeenkomsten",
    "/netwerken/{n}/gesprekken",
    "/netwerken/{n}/gesprekken/nieuw",
    "/netwerken/{n}/praktijken",
    "/netwerken/{n}/praktijken/nieuw",
    "/netwerken/{n}/mijn-instellingen",
    "/netwerken/{n}/verlaten",
    "/netwerken/{n}/toestemming",
]


@pytest.mark.parametrize("url", NETWORK_URLS)
def test_secret_network_urls_answer_like_a_missing_id(world, url):
    client = world["client"]
    secret = client.get(url.format(n=world["theirs"].id))
    missing = client.get(url.format(n=999_999))
    assert secret.status_code == missing.status_code == 404

    # Identical pages, but for the language switch link (it repeats the path) and the CSRF token.
    def normal(response, network_id):
        html = response.get_data(as_text=True).replace(f"/netwerken/{network_id}", "/netwerken/ID")
        return re.sub(r'name="csrf_token" value="[^"]*"', "", html)

    assert normal(secret, world["theirs"].id) == normal(missing, 999_999)


def test_secret_network_is_not_listed_nor_found(world):
    client, theirs = world["client"], world["theirs"]
    for url in ("/netwerken/", "/"):
        html = client.get(url).get_data(as_text=True)
        assert "Zilveren Uil" not in html and f'/netwerken/{theirs.id}"' not in html
    found = client.get("/netwerken/?q=Zilveren").get_data(as_text=True)
    assert f'/netwerken/{theirs.id}"' not in found and "Geen netwerken gevonden" in found


def test_secret_network_search_finds_nothing_for_outsiders(world):
    response = world["client"].get(f"/netwerken/{world['mine'].id}/zoeken?q=Overleg")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"/netwerken/{world['theirs'].id}/" not in html
    assert f"/netwerken/{world['mine'].id}/" in html  # its own meeting is found


@pytest.mark.parametrize(
    "url", ["/netwerken/{n}/bijeenkomsten", "/netwerken/{n}/gesprekken", "/netwerken/{n}/leden"]
)
def test_closed_network_shows_only_its_name_to_outsiders(make_network, make_user, client_for, url):
    outsider = make_user()
    closed = make_network("closed", name="Open deur")
    client = client_for(outsider)
    assert "Open deur" in client.get("/netwerken/").get_data(as_text=True)
    landing = client.get(f"/netwerken/{closed.id}")
    assert landing.status_code == 200 and "Enkel leden" in landing.get_data(as_text=True)
    assert client.get(url.format(n=closed.id)).status_code == 404


def test_anonymous_visitors_are_sent_to_login(world, client):
    response = client.get(f"/netwerken/{world['mine'].id}")
    assert response.status_code == 302 and "/aanmelden" in response.headers["Location"]


def test_members_cannot_read_the_audit_log_but_facilitators_and_admins_can(
    make_network, make_user, client_for
):
    member, facilitator, admin = make_user(), make_user(), make_user(role="admin")
    network = make_network(facilitator=facilitator, members=[member])
    url = f"/netwerken/{network.id}/logboek"
    assert client_for(member).get(url).status_code == 403
    assert client_for(facilitator).get(url).status_code == 200
    assert client_for(admin).get(url).status_code == 200
