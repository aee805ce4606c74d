"""Quick polls in a real browser: create, vote, results, one vote per browser, live presenter
view, the embed framed by another site, and the phone layout."""

from __future__ import annotations

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from tests.polls import conftest as poll_fixtures

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
make_poll = poll_fixtures.make_poll  # the poll tests' fixture, shared


def _create_poll(page, ui_login, make_user):
    user = make_user(role="researcher", name="Rik Onderzoeker")
    ui_login(page, user.email, PASSWORD)
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Polls").click()
    page.get_by_role("link", name="Nieuwe poll").click()
    main = page.get_by_role("main")
    main.get_by_label("Vraag", exact=True).fill("Wat vind je van de nieuwe chaturen?")
    main.get_by_label("Antwoordopties, één per regel").fill(
        "Ze passen goed bij mij\nLiever vroeger op de dag\nLiever later op de avond"
    )
    main.get_by_role("button", name="Bewaren").click()
    expect(page.locator(".flash-success")).to_contain_text("De poll is aangemaakt.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Wat vind je van de nieuwe chaturen?")
    return "/p/wat-vind-je-van-de-nieuwe-chaturen"


def test_create_vote_see_results_and_vote_only_once(
    page, new_page, ui_login, make_user, check_a11y, screenshot
):
    link = _create_poll(page, ui_login, make_user)
    snippet = page.get_by_label("Insluiten op een website: kopieer deze code")
    expect(snippet).to_have_value(re.compile(r'^<iframe src="http://127\.0\.0\.1:\d+' + link + '/embed"'))
    screenshot(page, "poll-admin")
    check_a11y(page)

    voter = new_page()
    voter.goto(link)
    expect(voter.get_by_role("heading", level=1)).to_have_text("Wat vind je van de nieuwe chaturen?")
    check_a11y(voter)
    voter.get_by_label("Liever later op de avond").check()
    voter.get_by_role("button", name="Stemmen").click()
    expect(voter.get_by_role("status").first).to_contain_text("Bedankt! Je stem is geteld.")
    results = voter.get_by_role("table")
    expect(results.get_by_role("row", name=re.compile("Liever later op de avond"))).to_contain_text("100%")
    expect(voter.locator(".poll-results")).to_contain_text("1 stem")
    expect(voter.locator(".notice")).to_contain_text("met minder dan 5 stemmen")
    screenshot(voter, "poll-voted")
    check_a11y(voter)

    # The same browser comes back: no ballot, and a clear message why.
    voter.goto(link)
    expect(voter.get_by_text("Je hebt al gestemd op deze poll.")).to_be_visible()
    expect(voter.get_by_role("button", name="Stemmen")).to_have_count(0)
    # Even the back button's old form is refused with the same message.
    voter.go_back()
    voter.go_back()
    if voter.get_by_role("button", name="Stemmen").count():
        voter.get_by_label("Ze passen goed bij mij").check()
        voter.get_by_role("button", name="Stemmen").click()
        expect(voter.get_by_role("alert")).to_contain_text("Je hebt al gestemd op deze poll.")
    screenshot(voter, "poll-second-vote")

    # The researcher sees the vote on the admin page.
    page.reload()
    expect(page.locator(".poll-results")).to_contain_text("1 stem")


def test_presenter_view_updates_by_itself(page, new_page, live_server, make_poll, screenshot, check_a11y):
    live_server.app.config["POLL_PRESENTER_SECONDS"] = 1
    make_poll(
        slug="zaal",
        question="Welk kanaal gebruikt jouw organisatie het meest?",
        options=("Facebook", "Instagram"),
    )
    page.goto("/p/zaal/presentatie")
    total = page.locator("[data-total]")
    expect(total).to_have_text("0")
    expect(page.locator(".short-url")).to_have_text(re.compile(r"127\.0\.0\.1:\d+/p/zaal$"))
    expect(page.get_by_role("img", name="QR-code met de link naar de poll")).to_be_visible()
    check_a11y(page)
    loads = []
    page.on("load", lambda: loads.append(1))

    phone = new_page(360, 740)
    phone.goto("/p/zaal")
    phone.get_by_label("Instagram").check()
    phone.get_by_role("button", name="Stemmen").click()
    expect(phone.get_by_role("status").first).to_contain_text("Bedankt!")

    expect(total).to_have_text("1", timeout=10_000)  # fetched by the page's own script
    bar = page.locator('.bar-row[data-code="2"] .bar')
    expect(bar).to_have_attribute("width", "270.0")
    expect(page.locator('.bar-row[data-code="2"] .bar-value')).to_have_text("1 · 100%")
    assert loads == []  # no reload
    screenshot(page, "poll-presenter")


@pytest.fixture
def other_site():
    """serve(html) -> URL of that page on "localhost": another site than the app's 127.0.0.1
    (chromium refuses to let a made-up public host frame a loopback address)."""
    servers = []

    def serve(html: str) -> str:
        body = html.encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://localhost:{server.server_port}/"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


def test_the_embed_works_inside_another_site(page, live_server, make_poll, other_site, screenshot):
    make_poll(slug="ingesloten", question="Wat vind je van de nieuwe chaturen?", options=("Goed", "Slecht"))
    page.goto(
        other_site(
            "<!doctype html><html lang='nl'><title>Organisatie</title><h1>Onze website</h1>"
            f"<iframe src='{live_server.url}/p/ingesloten/embed' title='Poll' width='100%'"
            " height='460'></iframe>"
        )
    )
    frame = page.frame_locator("iframe")
    frame.get_by_label("Slecht").check()
    frame.get_by_role("button", name="Stemmen").click()
    expect(frame.get_by_role("status").first).to_contain_text("Bedankt! Je stem is geteld.")
    expect(frame.get_by_role("table")).to_contain_text("100%")
    screenshot(page, "poll-embed")


def test_poll_pages_fit_a_phone(phone, make_poll, screenshot):
    make_poll(
        slug="kanaal",
        question="Welk sociaal netwerk gebruikt jouw organisatie vandaag het meest?",
        options=("Facebook", "Instagram", "Geen enkel: we zitten niet op sociale netwerken"),
    )
    from tests.browser.conftest import no_horizontal_scroll

    for path in ("/p/kanaal", "/p/kanaal/presentatie"):
        phone.goto(path)
        no_horizontal_scroll(phone, 360)
        screenshot(phone, "poll-phone" + path.replace("/", "-"))
