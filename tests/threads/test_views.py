"""Thread pages: Markdown comes out inert, hidden posts show the moderator's reason."""

from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.threads import services
from tests.helpers import Browserless

PAYLOADS = "\n\n".join(
    [
        "<script>alert('script')</script>",
        '<img src=x onerror="alert(1)">',
        '<a href="#" onclick="alert(1)">klik</a>',
        "[js](javascript:alert(1))",
        "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[ok](https://example.org)",
    ]
)


@pytest.fixture
def member_and_network(make_network, make_user):
    member = make_user()
    network = make_network(members=[member])
    return member, network


def test_markdown_payloads_come_out_inert_on_the_thread_page(member_and_network, client_for):
    member, network = member_and_network
    client = client_for(member)
    forms = Browserless(client)
    new_url = f"/netwerken/{network.id}/gesprekken/nieuw"
    response = forms.post(new_url, {"title": "Test <b>titel</b>", "body": PAYLOADS})
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    article = html[html.index('<ol class="posts">') : html.index('id="antwoorden"')]
    assert "<script" not in article and "<img" not in article
    assert not re.search(r"<[^>]+\son\w+=", article)
    for href in re.findall(r'href="([^"]*)"', article):
        assert not href.lower().startswith(("javascript:", "data:")), href
    assert '<a href="https://example.org" rel="nofollow noopener">ok</a>' in article
    assert "Test &lt;b&gt;titel&lt;/b&gt;" in html


def test_reply_and_unread_marker_on_the_list(member_and_network, client_for):
    member, network = member_and_network
    thread = services.start_thread(network, network.test_facilitator, "Vraag", "Wat denken jullie?")
    db.session.commit()
    client = client_for(member)
    listing = client.get(f"/netwerken/{network.id}/gesprekken").get_data(as_text=True)
    assert "nieuw" in listing
    url = f"/netwerken/{network.id}/gesprekken/{thread.id}"
    assert client.get(url).status_code == 200
    listing = client.get(f"/netwerken/{network.id}/gesprekken").get_data(as_text=True)
    assert 'badge-warn">nieuw' not in listing
    response = Browserless(client).post(url + "/antwoorden", {"body": "Mijn *antwoord*"}, token_url=url)
    assert response.status_code == 302
    assert "<em>antwoord</em>" in client.get(url).get_data(as_text=True)


def test_members_see_hidden_by_the_moderator_and_the_reason(member_and_network, client_for):
    member, network = member_and_network
    thread = services.start_thread(network, member, "Vraag", "Geheim adres van een cliënt")
    services.hide_post(thread.posts[0], network.test_facilitator, "Gegevens van een cliënt")
    db.session.commit()
    html = client_for(member).get(f"/netwerken/{network.id}/gesprekken/{thread.id}").get_data(as_text=True)
    assert "Verborgen door de moderator." in html and "Gegevens van een cliënt" in html
    assert "Geheim adres" not in html


def test_members_cannot_hide_posts(member_and_network, client_for):
    member, network = member_and_network
    thread = services.start_thread(network, network.test_facilitator, "Vraag", "Tekst")
    db.session.commit()
    client = client_for(member)
    url = f"/netwerken/{network.id}/berichten/{thread.posts[0].id}/verbergen"
    assert client.get(url).status_code == 403


def test_discuss_a_finding_in_one_of_my_networks(member_and_network, client_for):
    member, network = member_and_network
    client = client_for(member)
    chooser = client.get("/netwerken/gesprek-starten?bron=finding&ref=fb-gebruik")
    html = chooser.get_data(as_text=True)
    assert chooser.status_code == 200 and network.name in html
    start = f"/netwerken/{network.id}/gesprekken/nieuw?bron=finding&amp;ref=fb-gebruik"
    assert start in html
    form_url = start.replace("&amp;", "&")
    page = client.get(form_url).get_data(as_text=True)
    assert 'href="/bevindingen#fb-gebruik"' in page
    response = Browserless(client).post(
        form_url,
        {
            "title": "Facebook in 2026",
            "body": "Klopt dit nog?",
            "source_kind": "finding",
            "source_ref": "fb-gebruik",
        },
    )
    assert response.status_code == 302
    thread_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'href="/bevindingen#fb-gebruik"' in thread_page


def test_unknown_sources_give_404(member_and_network, client_for):
    member, network = member_and_network
    client = client_for(member)
    assert client.get("/netwerken/gesprek-starten?bron=finding&ref=javascript:alert(1)").status_code == 404
    assert client.get(f"/netwerken/{network.id}/gesprekken/nieuw?bron=x&ref=y").status_code == 404
