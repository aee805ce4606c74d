"""Two-factor login in a real browser: set-up with the QR page, recovery codes, the second step."""

from __future__ import annotations

import time

import pyotp
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import at_path, no_horizontal_scroll
from tests.helpers import SECOND_STEP_URL, SETUP_URL

PASSWORD = "correct horse battery"


def _watch_csp(page) -> list[str]:
    """Console messages about refused content (a CSP violation shows up there)."""
    refused = []
    page.on(
        "console",
        lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return refused


def _password(page, email: str) -> None:
    main = page.get_by_role("main")
    main.get_by_label("E-mailadres").fill(email)
    main.get_by_label("Wachtwoord").fill(PASSWORD)
    main.get_by_role("button", name="Aanmelden").click()


@pytest.mark.browser
def test_set_up_and_log_in_with_a_code(page, make_user, screenshot, check_a11y):
    admin = make_user(role="admin", name="Ada Admin", two_factor=False)
    refused = _watch_csp(page)

    page.goto("/aanmelden?next=/beheer/gebruikers")
    _password(page, admin.email)
    page.wait_for_url(at_path(SETUP_URL))
    main = page.get_by_role("main")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tweestapsverificatie instellen")
    qr = main.get_by_role("img", name="QR-code om WWWelzijn toe te voegen aan je authenticator-app")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0"), "the QR code did not load"
    screenshot(page, "twofactor-setup")
    check_a11y(page)

    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)
    main.get_by_label("Code uit je app").fill("000000" if totp.now() != "000000" else "111111")
    main.get_by_role("button", name="Bevestigen").click()
    expect(page.get_by_role("alert")).to_contain_text("Deze code klopt niet.")
    main.get_by_label("Code uit je app").fill(totp.now())
    main.get_by_role("button", name="Bevestigen").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Je herstelcodes")
    expect(main.locator(".recovery-codes li")).to_have_count(10)
    screenshot(page, "twofactor-recovery-codes")
    check_a11y(page)
    main.get_by_role("link", name="Ik heb ze bewaard, doorgaan").click()
    page.wait_for_url(at_path("/beheer/gebruikers"))

    page.get_by_role("button", name="Afmelden").click()
    page.goto("/aanmelden")
    _password(page, admin.email)
    page.wait_for_url(at_path(SECOND_STEP_URL))
    expect(page.get_by_role("heading", level=1)).to_have_text("Tweede stap")
    check_a11y(page)
    main.get_by_label("Code").fill(totp.now())  # the code that confirmed the set-up: used
    main.get_by_role("button", name="Bevestigen").click()
    expect(page.get_by_role("alert")).to_contain_text("Deze code is al gebruikt.")
    screenshot(page, "twofactor-second-step-error")
    main.get_by_label("Code").fill(totp.at(time.time() + totp.interval))
    main.get_by_role("button", name="Bevestigen").click()
    page.wait_for_url(at_path("/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Dag Ada Admin")
    assert refused == [], refused


@pytest.mark.browser
def test_set_up_page_on_a_phone(phone, make_user, screenshot, check_a11y):
    researcher = make_user(role="researcher", two_factor=False)
    phone.goto("/aanmelden")
    _password(phone, researcher.email)
    phone.wait_for_url(at_path(SETUP_URL))
    no_horizontal_scroll(phone, 360)
    screenshot(phone, "twofactor-setup-phone")
    check_a11y(phone)
