"""The learning-network journey in a real browser: a facilitator and two members walk through
invitation, consent, a meeting with notes and actions, a thread with replies, and a practice
proposed by a member and approved by the facilitator (four eyes), then seen on the public page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.networks.services import appoint_facilitator, create_network, record_consent
from tests.browser.conftest import PHONE, at_path, check_a11y, no_horizontal_scroll, ui_login
from tests.helpers import mail_text

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"


def _invitation_link(live_server, email: str) -> str:
    message = next(m for m in reversed(live_server.mails()) if m["To"] == email)
    return re.search(r"http://\S+", mail_text(message)).group(0)


def _login_from(page, email: str, password: str) -> None:
    """Sign in on the login page the app sent us to (it returns to where we came from)."""
    main = page.get_by_role("main")
    main.get_by_label("E-mailadres").fill(email)
    main.get_by_label("Wachtwoord").fill(password)
    main.get_by_role("button", name="Aanmelden").click()


def test_facilitator_and_two_members(live_server, new_page, make_user, screenshot):
    admin = make_user(role="admin", password=None)
    facilitator = make_user(role="researcher", name="Fien Begeleider", email="fien@example.org")
    existing = make_user(name="Omar Lid", email="omar@example.org")
    network = create_network("Lerend netwerk Sociale Media Gent", "Samen leren.", "secret", admin)
    record_consent(appoint_facilitator(network, facilitator, admin))
    db.session.commit()
    base = f"/netwerken/{network.id}"

    # --- the facilitator invites an existing user and a newcomer -----------------------------
    fac = new_page()
    ui_login(fac, facilitator.email, PASSWORD)
    fac.get_by_role("link", name="Lerend netwerk Sociale Media Gent").first.click()
    fac.get_by_role("navigation", name="Netwerk").get_by_role("link", name="Leden").click()
    form = fac.locator("form", has=fac.get_by_role("button", name="Uitnodiging versturen"))
    for name, email in (("Omar Lid", existing.email), ("Nele Nieuw", "nele@example.org")):
        form.get_by_label("Naam").fill(name)
        form.get_by_label("E-mailadres").fill(email)
        form.get_by_role("button", name="Uitnodiging versturen").click()
        expect(fac.locator(".flash-success")).to_contain_text(email)
    screenshot(fac, "networks-members")
    check_a11y(fac)

    # --- the newcomer accepts on a phone: account, consent, member --------------------------
    nele = new_page(**PHONE)
    nele.goto(_invitation_link(live_server, "nele@example.org"))
    expect(nele.get_by_role("heading", name="Toestemmingsverklaring")).to_be_visible()
    expect(nele.get_by_text("foto's of opnames van herkenbare personen")).to_be_visible()
    main = nele.get_by_role("main")
    main.get_by_label("Naam").fill("Nele Nieuw")
    main.get_by_label("Kies een wachtwoord").fill("zee en duinen 2030")
    main.get_by_label("Herhaal het wachtwoord").fill("zee en duinen 2030")
    main.get_by_role("button", name="Lid worden").click()
    expect(nele.locator(".error-summary")).to_contain_text("akkoord")  # consent is not optional
    check_a11y(nele)
    main.get_by_label("Kies een wachtwoord").fill("zee en duinen 2030")
    main.get_by_label("Herhaal het wachtwoord").fill("zee en duinen 2030")
    main.get_by_label("Ik heb de toestemmingsverklaring gelezen en ga akkoord").check()
    screenshot(nele, "networks-invitation-phone")
    main.get_by_role("button", name="Lid worden").click()
    nele.wait_for_url(at_path(base))
    expect(nele.locator(".flash-success")).to_contain_text("Welkom")
    no_horizontal_scroll(nele, PHONE["width"])

    # --- the existing user signs in to accept -----------------------------------------------
    omar = new_page()
    omar.goto(_invitation_link(live_server, existing.email))
    _login_from(omar, existing.email, PASSWORD)
    omar.get_by_label("Ik heb de toestemmingsverklaring gelezen en ga akkoord").check()
    omar.get_by_role("button", name="Lid worden").click()
    omar.wait_for_url(at_path(base))

    # --- the facilitator plans a meeting ---------------------------------------------------
    fac.goto(base + "/bijeenkomsten")
    fac.get_by_role("link", name="Bijeenkomst plannen").click()
    fac.get_by_label("Titel").fill("Bijeenkomst december")
    fac.get_by_label("Datum").fill("2030-12-04")
    fac.get_by_label("Beginuur").fill("14:00")
    fac.get_by_label("Plaats").fill("De Waag, Gent")
    fac.get_by_label("Agenda").fill("- Rondvraag\n- Foto's van cliënten: wat mag?")
    check_a11y(fac)
    fac.get_by_role("button", name="Bewaren").click()
    expect(fac.get_by_role("heading", level=1)).to_have_text("Bijeenkomst december")
    meeting_url = fac.url

    # --- a member writes the notes and an action for the other member ----------------------
    omar.goto(meeting_url)
    omar.get_by_role("link", name="Verslag schrijven").click()
    omar.get_by_label("Omar Lid").check()
    omar.get_by_label("Fien Begeleider").check()
    omar.get_by_label("Wat werd besproken").fill("We vergeleken hoe we op **Instagram** reageren.")
    omar.get_by_label("Beslissingen").fill("Elk test een vaste vraag van de week.")
    check_a11y(omar)
    omar.get_by_role("button", name="Verslag bewaren").click()
    expect(omar.locator("#verslag ~ .prose strong")).to_have_text("Instagram")
    action_form = omar.locator("form", has=omar.get_by_role("button", name="Actie toevoegen"))
    action_form.get_by_label("Actie").fill("Social media policy rondsturen")
    action_form.get_by_label("Wie voert ze uit").select_option(label="Nele Nieuw")
    action_form.get_by_label("Tegen wanneer").fill("2030-12-20")
    action_form.get_by_role("button", name="Actie toevoegen").click()
    expect(omar.locator(".items")).to_contain_text("Social media policy rondsturen")
    screenshot(omar, "networks-meeting")
    check_a11y(omar)

    nele.goto("/")
    expect(nele.get_by_role("heading", name="Mijn acties")).to_be_visible()
    expect(nele.get_by_text("Social media policy rondsturen")).to_be_visible()
    screenshot(nele, "networks-overview-phone")
    no_horizontal_scroll(nele, PHONE["width"])

    # --- a thread with replies and unread markers ------------------------------------------
    nele.goto(base + "/gesprekken")
    nele.get_by_role("link", name="Nieuw gesprek").click()
    nele.get_by_label("Onderwerp").fill("Reageren op Messenger-vragen")
    nele.get_by_label("Bericht").fill("Hoe doen jullie dat? <script>alert(1)</script>")
    nele.get_by_role("button", name="Gesprek starten").click()
    expect(nele.locator(".post").first).to_contain_text("<script>alert(1)</script>")  # shown as text
    thread_url = nele.url

    omar.goto(base + "/gesprekken")
    expect(omar.locator(".threads li").first).to_contain_text("nieuw")
    omar.get_by_role("link", name="Reageren op Messenger-vragen").click()
    omar.get_by_label("Je antwoord").fill("Wij verwijzen door naar de *chat*.")
    omar.get_by_role("button", name="Antwoord plaatsen").click()
    expect(omar.locator(".post em")).to_have_text("chat")

    nele.goto(base + "/gesprekken")
    expect(nele.locator(".threads li").first).to_contain_text("nieuw")
    nele.goto(thread_url)
    expect(nele.locator(".post")).to_have_count(2)
    screenshot(nele, "networks-thread-phone")
    check_a11y(nele)
    no_horizontal_scroll(nele, PHONE["width"])

    # --- a practice proposed by a member and approved by the facilitator -------------------
    omar.goto(base + "/praktijken")
    omar.get_by_role("link", name="Praktijk beschrijven").click()
    omar.get_by_label("Titel").fill("Vraag van de week op Instagram")
    omar.get_by_label("Organisatie(s)").fill("JAC Gent")
    omar.get_by_label("Doel", exact=True).fill("Jongeren laten reageren.")
    omar.get_by_label("Wat werkte", exact=True).fill("Vaste dag en uur.")
    omar.get_by_role("textbox", name="Privacy en deontologie").fill("Geen herkenbare foto's.")
    omar.get_by_role("checkbox", name="Instagram").check()
    omar.get_by_role("checkbox", name="Jongeren").check()
    check_a11y(omar)
    omar.get_by_role("button", name="Bewaren").click()
    omar.get_by_role("button", name="Voorstellen voor de publieke website").click()
    expect(omar.locator(".status-box")).to_contain_text("Wacht op goedkeuring")
    expect(omar.get_by_role("button", name="Goedkeuren en publiceren")).to_have_count(0)
    practice_url = omar.url

    fac.goto("/")
    fac.get_by_role("link", name="Vraag van de week op Instagram").click()
    fac.wait_for_url(practice_url)
    screenshot(fac, "networks-practice-review")
    check_a11y(fac)
    fac.get_by_role("button", name="Goedkeuren en publiceren").click()
    expect(fac.locator(".flash-success")).to_contain_text("gepubliceerd")

    visitor = new_page(**PHONE)
    visitor.goto("/praktijken")
    visitor.get_by_role("link", name="Vraag van de week op Instagram").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Vraag van de week op Instagram")
    expect(visitor.get_by_text("JAC Gent")).to_have_count(0)  # names only where allowed
    expect(visitor.get_by_text("Lerend netwerk Sociale Media Gent")).to_have_count(0)  # secret
    screenshot(visitor, "networks-public-practice-phone")
    check_a11y(visitor)
    no_horizontal_scroll(visitor, PHONE["width"])

    # --- the facilitator's log shows the membership changes ---------------------------------
    fac.goto(base + "/logboek")
    for text in ("lid geworden", "uitgenodigd", "toestemmingsverklaring aanvaard", "praktijk goedgekeurd"):
        expect(fac.locator("table")).to_contain_text(text)
    screenshot(fac, "networks-log")
    check_a11y(fac)
