"""Inviting organisations and reading the response rate in a real browser."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.invitations.models import Invitation
from tests.invitations import conftest as invitation_fixtures

pytestmark = pytest.mark.browser
make_survey = invitation_fixtures.make_survey  # the invitation tests' fixture, shared


def test_invite_by_type_then_follow_the_response(
    page, live_server, ui_login, make_user, make_organisation, make_survey, check_a11y, screenshot
):
    make_survey()
    for i, (kind, region) in enumerate([("caw", "antwerpen"), ("caw", "limburg"), ("clb", "brussel")]):
        make_organisation(name=f"Organisatie {i}", service_type=kind, region=region)
    admin = make_user(role="admin")
    ui_login(page, admin.email, "correct horse battery")
    page.goto("/beheer/bevragingen/herbevraging/uitnodigen")
    page.get_by_label("CAW / JAC").check()
    page.get_by_role("button", name="Toon de selectie").click()
    expect(page.get_by_role("main")).to_contain_text("2 organisaties worden nu uitgenodigd.")
    check_a11y(page)
    screenshot(page, "invite-preview")
    page.get_by_role("button", name="2 organisaties uitnodigen").click()
    expect(page.locator(".flash-success")).to_contain_text("2 organisaties uitgenodigd.")
    check_a11y(page)
    screenshot(page, "invitations-list")
    assert len(live_server.mails()) == 2

    db.session.rollback()  # a fresh snapshot: the invitations were made by the server
    invitation = db.session.scalar(select(Invitation).limit(1))
    invitation.finished_on = date.today()
    db.session.commit()
    page.get_by_role("link", name="Respons").last.click()
    expect(page.get_by_role("img", name="Respons per soort dienst")).to_be_visible()
    overall = page.get_by_role("table", name="Respons van alle uitgenodigde organisaties")
    expect(overall).to_contain_text("50%")
    check_a11y(page)
    screenshot(page, "response-rates")
