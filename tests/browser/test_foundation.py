"""Journeys of the foundation in a real browser: login, password reset, organisation import,
accessibility of every page, and the 360 px phone layout."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import at_path, check_a11y, finish_login, no_horizontal_scroll, ui_login
from tests.helpers import mail_text

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"


def test_login_shows_errors_then_signs_in(page, make_user, screenshot):
    user = make_user(name="Ann Peeters")
    page.goto("/aanmelden")
    main = page.get_by_role("main")
    main.get_by_label("E-mailadres").fill(user.email)
    main.get_by_label("Wachtwoord").fill("not my password")
    main.get_by_role("button", name="Aanmelden").click()

    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("E-mailadres of wachtwoord klopt niet.")
    expect(page.locator("#password-error")).to_have_text(re.compile("E-mailadres of wachtwoord klopt niet."))
    expect(main.get_by_label("Wachtwoord")).to_have_attribute("aria-invalid", "true")
    screenshot(page, "login-error")
    check_a11y(page)

    summary.get_by_role("link").click()  # the summary link moves to the field
    expect(main.get_by_label("Wachtwoord")).to_be_focused()

    main.get_by_label("Wachtwoord").fill(PASSWORD)
    main.get_by_role("button", name="Aanmelden").click()
    page.wait_for_url(at_path("/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Dag Ann Peeters")
    screenshot(page, "overview")


def test_password_reset_end_to_end(page, live_server, make_user, screenshot):
    user = make_user(name="Bert")
    page.goto("/aanmelden")
    page.get_by_role("link", name="Wachtwoord vergeten?").click()
    page.get_by_label("E-mailadres").fill(user.email)
    screenshot(page, "forgot-password")
    page.get_by_role("button", name="Stuur me een link").click()
    expect(page.locator(".flash-success")).to_contain_text("Als er een account met dit adres bestaat")

    mails = live_server.mails()
    assert len(mails) == 1
    link = re.search(r"http://\S+", mail_text(mails[0])).group(0)
    assert link.startswith(live_server.url + "/wachtwoord-instellen/")

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Nieuw wachtwoord")
    page.get_by_label("Nieuw wachtwoord", exact=True).fill("a new passphrase for Bert")
    page.get_by_label("Herhaal het nieuwe wachtwoord").fill("a new passphrase for Bert")
    screenshot(page, "reset-password")
    check_a11y(page)
    page.get_by_role("button", name="Wachtwoord instellen").click()
    page.wait_for_url(at_path("/"))
    expect(page.locator(".flash-success")).to_contain_text("Je nieuwe wachtwoord is ingesteld.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dag Bert")

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Deze link werkt niet")
    screenshot(page, "invalid-link")


def test_organisation_import_end_to_end(page, make_user, make_organisation, screenshot, tmp_path):
    admin = make_user(role="admin")
    make_organisation(name="Bestaande Dienst")
    csv = tmp_path / "organisaties.csv"
    csv.write_bytes(
        "Naam;Soort dienst;Regio;E-mail\r\n"
        "CAW Noorderkempen;CAW / JAC;Antwerpen;info@caw-nk.be\r\n"
        "Hulplijn Zonder Regio;Hulplijn;;\r\n"
        "OCMW Liège-Rand;OCMW;Brussel;\r\n"
        "Bestaande Dienst;CLB;Limburg;\r\n".encode("cp1252")
    )
    ui_login(page, admin.email, PASSWORD)
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Organisaties").click()
    page.get_by_role("link", name="Importeren uit CSV").click()
    page.get_by_label("CSV-bestand").set_input_files(str(csv))
    page.get_by_role("button", name="Controleren").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Controle van organisaties.csv")
    expect(page.get_by_role("status")).to_contain_text("2 rijen zijn in orde, 2 rijen worden geweigerd.")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Hulplijn Zonder Regio")
    expect(rows.nth(0)).to_contain_text("onbekende regio")
    expect(rows.nth(1)).to_contain_text("staat al in het register")
    screenshot(page, "import-report")
    check_a11y(page)

    page.get_by_role("button", name="De 2 geldige rijen importeren").click()
    page.wait_for_url(at_path("/beheer/organisaties/"))
    expect(page.locator(".flash-success")).to_contain_text(
        "2 organisaties geïmporteerd, 2 rijen overgeslagen."
    )
    table = page.get_by_role("table")
    for name in ("CAW Noorderkempen", "OCMW Liège-Rand", "Bestaande Dienst"):
        expect(table.get_by_role("link", name=name)).to_be_visible()
    expect(table).not_to_contain_text("Hulplijn Zonder Regio")
    screenshot(page, "organisations-after-import")


def _pages_for_admin(live_server, make_user, make_organisation):
    admin = make_user(role="admin", name="Ada Beheerder")
    member = make_user(role="member", name="Mona Lid")
    org = make_organisation(name="CAW Voorbeeld")
    return admin, [
        ("overview", "/"),
        ("profile", "/profiel"),
        ("users", "/beheer/gebruikers"),
        ("invite-user", "/beheer/gebruikers/uitnodigen"),
        ("edit-user", f"/beheer/gebruikers/{member.id}"),
        ("organisations", "/beheer/organisaties/"),
        ("add-organisation", "/beheer/organisaties/nieuw"),
        ("edit-organisation", f"/beheer/organisaties/{org.id}"),
        ("import-organisations", "/beheer/organisaties/importeren"),
        ("privacy-signed-in", "/privacy"),
        ("two-factor", "/profiel/tweestapsverificatie"),
        ("reset-two-factor", f"/beheer/gebruikers/{member.id}/tweestapsverificatie"),
    ]


ANONYMOUS_PAGES = [
    ("home", "/"),
    ("privacy", "/privacy"),
    ("login", "/aanmelden"),
    ("forgot-password", "/wachtwoord-vergeten"),
    ("invalid-link", "/wachtwoord-instellen/geen-geldige-link"),
    ("not-found", "/bestaat-niet"),
]


def _sign_in_by_ids(page, email):
    page.goto("/aanmelden")
    main = page.get_by_role("main")
    main.locator("#email").fill(email)
    main.locator("#password").fill(PASSWORD)
    main.get_by_role("button").click()
    finish_login(page, email)  # the second step: admins use an authenticator app


def test_every_page_passes_axe(page, live_server, make_user, make_organisation, screenshot):
    """Every page of the foundation, signed out and as an administrator, and forms with errors."""
    admin, signed_in_pages = _pages_for_admin(live_server, make_user, make_organisation)
    for name, path in ANONYMOUS_PAGES:
        page.goto(path)
        screenshot(page, f"nl-{name}")
        check_a11y(page)

    page.goto("/aanmelden")
    page.get_by_role("main").get_by_role("button").click()  # empty form: errors everywhere
    expect(page.locator(".error-summary")).to_be_visible()
    screenshot(page, "nl-login-errors")
    check_a11y(page)

    _sign_in_by_ids(page, admin.email)
    for name, path in signed_in_pages:
        response = page.goto(path)
        assert response.status == 200, path
        screenshot(page, f"nl-{name}")
        check_a11y(page)

    page.goto("/beheer/organisaties/nieuw")
    page.get_by_role("main").get_by_role("button", name="Bewaren").click()
    expect(page.locator(".error-summary")).to_be_visible()
    screenshot(page, "nl-add-organisation-errors")
    check_a11y(page)


def test_english_pages_pass_axe(page, live_server, make_user, make_organisation, screenshot):
    """The same templates in English: lang attribute, translated texts, no new violations."""
    admin, _pages = _pages_for_admin(live_server, make_user, make_organisation)
    page.goto("/taal/en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Social media in welfare work: measuring and learning together"
    )
    screenshot(page, "en-home")
    check_a11y(page)
    page.goto("/aanmelden")
    page.get_by_role("main").get_by_role("button", name="Sign in").click()
    expect(page.locator(".error-summary")).to_contain_text("There is a problem")
    screenshot(page, "en-login-errors")
    check_a11y(page)
    _sign_in_by_ids(page, admin.email)
    for name, path in [("organisations", "/beheer/organisaties/"), ("profile", "/profiel")]:
        page.goto(path)
        expect(page.locator("html")).to_have_attribute("lang", "en")
        screenshot(page, f"en-{name}")
        check_a11y(page)


def test_keyboard_user_can_skip_to_the_content(page):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Naar de inhoud")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    assert urlsplit(page.url).fragment == "main"


def test_phone_layout_has_no_sideways_scroll(phone, make_user, make_organisation, screenshot):
    admin = make_user(role="admin", name="Ada Beheerder-Van-Langenhove")
    make_organisation(
        name="Centrum voor Algemeen Welzijnswerk Zuid-West-Vlaanderen en omstreken",
        contact_email="onthaal.zuidwestvlaanderen@cawzuidwestvlaanderen-voorbeeld.be",
    )
    phone.goto("/aanmelden")
    no_horizontal_scroll(phone, 360)
    screenshot(phone, "phone-login")
    check_a11y(phone)

    ui_login(phone, admin.email, PASSWORD)
    phone.goto("/beheer/organisaties/")
    no_horizontal_scroll(phone, 360)
    screenshot(phone, "phone-organisations")
    check_a11y(phone)

    for name, path in [
        ("overview", "/"),
        ("users", "/beheer/gebruikers"),
        ("profile", "/profiel"),
        ("import", "/beheer/organisaties/importeren"),
    ]:
        phone.goto(path)
        no_horizontal_scroll(phone, 360)
        screenshot(phone, f"phone-{name}")


def test_check_a11y_runs_under_the_sites_csp_and_reports_violations(page):
    """The helper itself: axe runs on a page served with the real CSP and catches a violation."""
    response = page.goto("/privacy")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert check_a11y(page) is not None
    page.evaluate("() => document.querySelector('main').append(document.createElement('input'))")
    with pytest.raises(pytest.fail.Exception, match=r"\[critical\] label"):
        check_a11y(page)
