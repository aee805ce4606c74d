"""Poll pages over HTTP: creating, voting once, results, embed and presenter view."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.polls.services import get_poll, local_today
from tests.helpers import Browserless, login, text_of
from tests.polls.conftest import ballot_fields, vote


def test_staff_create_a_poll_in_the_browser_and_anyone_votes(app, client, make_user):
    login(client, make_user(role="researcher"))
    forms = Browserless(client)
    response = forms.post(
        "/beheer/polls/nieuw",
        {
            "question_nl": "Wat vind je van de nieuwe chaturen?",
            "options_nl": "Goed\nSlecht\n\nWeet niet\n",
            "kind": "single",
            "show_results": "y",
        },
    )
    assert response.status_code == 302
    poll = get_poll("wat-vind-je-van-de-nieuwe-chaturen")
    assert [(o.code, o.label_nl) for o in poll.options] == [(1, "Goed"), (2, "Slecht"), (3, "Weet niet")]
    admin_page = text_of(client.get(response.headers["Location"]))
    assert (
        "&lt;iframe src=&#34;http://localhost/p/wat-vind-je-van-de-nieuwe-chaturen/embed&#34;" in admin_page
        or ('&lt;iframe src="http://localhost/p/wat-vind-je-van-de-nieuwe-chaturen/embed"' in admin_page)
    )

    voter = app.test_client()
    response = vote(voter, poll.slug, 2)
    assert response.status_code == 302
    page = text_of(voter.get(response.headers["Location"]))
    assert "Bedankt! Je stem is geteld." in page
    assert "1 stem" in page and "100%" in page


def test_poll_form_errors_are_shown(app, client, make_user):
    login(client, make_user(role="admin"))
    page = text_of(
        Browserless(client).post("/beheer/polls/nieuw", {"question_nl": "Vraag?", "options_nl": "Enkel"})
    )
    assert "minstens twee antwoordopties" in page
    assert 'class="error-summary"' in page


@pytest.mark.parametrize("url", ["/beheer/polls/", "/beheer/polls/nieuw", "/beheer/polls/chaturen"])
def test_admin_pages_are_for_staff_only(app, client, make_user, make_poll, url):
    make_poll()
    assert client.get(url).status_code == 302  # to the login page
    login(client, make_user(role="member"))
    assert client.get(url).status_code == 403


def test_second_vote_from_the_same_browser_is_refused(app, client, make_poll):
    poll = make_poll()
    page = text_of(client.get("/p/chaturen"))
    fields = ballot_fields(page)
    assert client.post("/p/chaturen", data={**fields, "keuze": "1"}).status_code == 302
    # The page no longer offers a ballot, and says why.
    again = text_of(client.get("/p/chaturen"))
    assert "Je hebt al gestemd op deze poll" in again and 'name="keuze"' not in again
    # Posting again anyway (an old tab) is refused with the same message.
    fresh = ballot_fields(page)
    refused = client.post("/p/chaturen", data={**fresh, "keuze": "2"})
    assert refused.status_code == 409 and "Je hebt al gestemd op deze poll" in text_of(refused)
    assert _counts(poll) == {1: 1, 2: 0, 3: 0}


def _counts(poll):
    from app.polls.voting import results

    return {row.code: row.count for row in results(poll).rows}


def test_a_double_click_counts_once(app, client, make_poll):
    poll = make_poll()
    fields = {**ballot_fields(text_of(client.get("/p/chaturen"))), "keuze": "1"}
    other_tab = app.test_client()  # the second post arrives before the first answer's cookie
    with client.session_transaction() as session:
        cookie_session = dict(session)
    with other_tab.session_transaction() as session:
        session.update(cookie_session)
    assert client.post("/p/chaturen", data=fields).status_code == 302
    second = other_tab.post("/p/chaturen", data=fields)
    assert second.status_code == 302 and "gestemd=1" in second.headers["Location"]
    assert _counts(poll)[1] == 1


def test_rate_limit_per_address_with_fresh_cookies(make_app, make_poll):
    app = make_app(POLL_VOTE_LIMIT=3)
    with app.app_context():
        make_poll()
        statuses = [vote(app.test_client(), "chaturen", 1).status_code for _ in range(4)]
        assert statuses == [302, 302, 302, 429]
        # Another address still votes; counters are per address (and apart from the login's).
        other = vote(app.test_client(), "chaturen", 1, environ_base={"REMOTE_ADDR": "10.0.0.9"})
        assert other.status_code == 302


def test_results_percentages_and_small_numbers(make_app, make_poll):
    app = make_app(POLL_SMALL_N=4)
    with app.app_context():
        poll = make_poll(options=("Ja", "Nee", "Misschien"))
        for code in (1, 1, 2):
            vote(app.test_client(), "chaturen", code)
        data = app.test_client().get("/p/chaturen/resultaten.json").get_json()
        assert data["n"] == 3 and data["small"] is True and data["threshold"] == 4
        assert [(o["code"], o["count"], o["percent"]) for o in data["options"]] == [
            (1, 2, 66.7),
            (2, 1, 33.3),
            (3, 0, 0.0),
        ]
        voter = app.test_client()
        page = text_of(voter.get(vote(voter, "chaturen", 3).headers["Location"]))
        assert "met minder dan 4 stemmen" not in page  # four votes now
        assert "50%" in page and "25%" in page and "4 stemmen" in page
        assert poll.id


def test_small_numbers_are_flagged_on_the_page(app, client, make_poll):
    make_poll()
    page = text_of(client.get(vote(client, "chaturen", 1).headers["Location"]))
    assert "Opgelet: met minder dan 5 stemmen zeggen deze cijfers nog weinig." in page


def test_multiple_choice_counts_voters(app, make_poll):
    poll = make_poll(multiple=True)
    vote(app.test_client(), "chaturen", 1, 2)
    vote(app.test_client(), "chaturen", 1)
    data = app.test_client().get("/p/chaturen/resultaten.json").get_json()
    assert data["n"] == 2
    assert [(o["count"], o["percent"]) for o in data["options"]] == [(2, 100.0), (1, 50.0), (0, 0.0)]
    refused = vote(app.test_client(), "chaturen")
    assert refused.status_code == 422 and "Kies minstens één antwoord" in text_of(refused)
    assert poll.is_multiple


@pytest.mark.parametrize(
    ("opens", "closes", "message"),
    [(1, None, "nog niet open"), (None, -1, "gesloten")],
)
def test_closed_or_not_yet_open_poll_refuses_votes(app, client, make_poll, opens, closes, message):
    today = local_today()
    poll = make_poll(
        opens=today + timedelta(days=opens) if opens else None,
        closes=today + timedelta(days=closes) if closes else None,
    )
    page = text_of(client.get("/p/chaturen"))
    assert message in page and 'name="keuze"' not in page
    # A form from before the change still cannot vote.
    from app.polls.voting import form_token

    with client.session_transaction() as session:
        session.setdefault("x", 1)
    token = Browserless(client).token("/aanmelden")
    response = client.post(
        "/p/chaturen", data={"csrf_token": token, "form_token": form_token(poll), "keuze": "1"}
    )
    assert response.status_code == 422 and message in text_of(response)
    assert _counts(poll) == {1: 0, 2: 0, 3: 0}


def test_only_the_embed_may_be_framed(app, client, make_poll):
    make_poll()
    embed = client.get("/p/chaturen/embed")
    assert "frame-ancestors *" in embed.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in embed.headers
    assert "site-header" not in text_of(embed)
    for url in ("/p/chaturen", "/p/chaturen/presentatie", "/p/chaturen/resultaten.json", "/"):
        headers = client.get(url).headers
        assert headers["X-Frame-Options"] == "DENY", url
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], url


def test_voting_in_the_embed_needs_no_session(app, make_poll):
    poll = make_poll()
    framed = app.test_client()
    response = vote(framed, "chaturen", 2, embed=True)
    assert response.status_code == 302 and response.headers["Location"].startswith("/p/chaturen/embed")
    assert "frame-ancestors *" in response.headers["Content-Security-Policy"]
    assert "wwwelzijn_session" not in response.headers.get("Set-Cookie", "")
    page = text_of(framed.get(response.headers["Location"]))
    assert "Bedankt! Je stem is geteld." in page
    # Without a valid signed form token nothing is counted.
    bad = framed.post("/p/chaturen/embed", data={"form_token": "vals", "keuze": "1"})
    assert bad.status_code in (400, 409)
    assert _counts(poll) == {1: 0, 2: 1, 3: 0}


def test_presenter_view_and_results_json(app, client, make_poll):
    make_poll()
    page = text_of(client.get("/p/chaturen/presentatie"))
    assert 'data-poll-results="/p/chaturen/resultaten.json"' in page
    assert '<script src="/static/js/poll-presenter.js"' in page and "<script>" not in page
    assert "localhost<wbr>/p/chaturen" in page and "/p/chaturen/qr.svg" in page
    qr = client.get("/p/chaturen/qr.svg")
    assert qr.mimetype == "image/svg+xml" and b"<svg" in qr.data and b"style=" not in qr.data
    assert client.get("/p/chaturen/resultaten.json").get_json()["n"] == 0
    vote(app.test_client(), "chaturen", 3)
    data = client.get("/p/chaturen/resultaten.json")
    assert data.get_json()["n"] == 1 and data.headers["Cache-Control"] == "no-store"


def test_hidden_results_stay_hidden_from_voters_but_not_staff(app, client, make_poll, make_user):
    make_poll(show_results=False)
    page = text_of(client.get(vote(client, "chaturen", 1).headers["Location"]))
    assert "Bedankt!" in page and "poll-results" not in page
    assert client.get("/p/chaturen/resultaten.json").status_code == 404
    assert client.get("/p/chaturen/presentatie").status_code == 404
    login(client, make_user(role="admin"))
    assert client.get("/p/chaturen/resultaten.json").get_json()["n"] == 1


def test_unknown_poll_is_404(client):
    assert client.get("/p/bestaat-niet").status_code == 404
    assert client.get("/p/bestaat-niet/embed").status_code == 404


def test_home_page_lists_open_polls_only(app, client, make_poll):
    today = local_today()
    make_poll(slug="open-poll", question="Open vraag?")
    make_poll(slug="later", question="Latere vraag?", opens=today + timedelta(days=3))
    page = text_of(client.get("/"))
    assert "Polls: stem mee" in page and 'href="/p/open-poll"' in page
    assert "/p/later" not in page


def test_editing_after_votes_keeps_the_options(app, client, make_user, make_poll):
    poll = make_poll()
    vote(app.test_client(), "chaturen", 1)
    login(client, make_user(role="admin"))
    form = text_of(client.get("/beheer/polls/chaturen/bewerken"))
    assert "de antwoordopties en de soort vraag liggen vast" in form and 'name="options_nl"' not in form
    response = Browserless(client).post(
        "/beheer/polls/chaturen/bewerken",
        {"question_nl": "Wat vind je van de chaturen?", "show_results": "y", "slug": "chaturen"},
    )
    assert response.status_code == 302
    poll = get_poll("chaturen")
    assert poll.question_nl == "Wat vind je van de chaturen?"
    assert [o.label_nl for o in poll.options] == ["Goed", "Slecht", "Weet niet"]


def test_file_polls_are_not_edited_in_the_browser(app, client, make_user):
    app.test_cli_runner().invoke(args=["polls", "load"])
    login(client, make_user(role="admin"))
    response = client.get("/beheer/polls/chaturen/bewerken", follow_redirects=True)
    assert "Deze poll komt uit een bestand" in text_of(response)
