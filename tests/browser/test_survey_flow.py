"""A respondent answers the re-test questionnaire on a phone, leaves half-way, resumes through the
same invitation link in a new browser, and sends; axe checks every page. Plus keyboard-only use."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from app.extensions import db
from app.invitations.models import Invitation
from app.surveys.models import Draft, Response, Survey
from tests.browser.conftest import PHONE, check_a11y, no_horizontal_scroll

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def retest(app, make_organisation):
    """The re-test survey from surveys/, open, with an invitation: (survey, definition, link token)."""
    from app.surveys.services import load_surveys

    app.config["SURVEYS_DIR"] = str(ROOT / "surveys")
    load_surveys(ROOT / "surveys")
    survey = db.session.scalar(select(Survey).where(Survey.slug == "herbevraging-2026"))
    survey.open()
    invitation = Invitation(survey=survey, organisation=make_organisation(name="CAW Proefdienst"))
    db.session.add(invitation)
    token = invitation.issue_token()
    db.session.commit()
    return survey, survey.definition, token, invitation.id


def answer_shown_questions(page, definition) -> None:
    """Answer every question shown on the page with a valid value, the way a person would."""
    for key in page.locator("input[name=getoond]").evaluate_all("els => els.map(e => e.value)"):
        question = definition.question(key)
        name = f"q-{key}"
        kind = question.type
        if kind == "single_choice" and question.display == "dropdown":
            page.select_option(f"#{name}", str(question.choices[0].code))
        elif kind == "single_choice":
            page.check(f"#{name}-{question.choices[0].code}")
        elif kind == "likert":
            page.check(f"#{name}-4")
        elif kind == "matrix":
            for row in question.rows:
                page.check(f"#q-{question.row_variable(row)}-{question.choices[-1].code}")
        elif kind == "multiple_choice":
            for option in question.options[: max(question.min_choices or 1, 1)]:
                page.check(f"#{name}-{option.code}")
        elif kind == "ranking":
            for rank, option in enumerate(reversed(question.options), start=1):
                page.select_option(f"#{name}-{option.code}", str(rank))
        elif kind == "number":
            page.fill(f"#{name}", str(int(question.min) if question.min is not None else 3))
        elif kind == "date":
            page.fill(f"#{name}", question.min or "2015-06-01")
        else:
            page.fill(f"#{name}", "Getest in de browser")


def answer_page(page, definition, screenshot, shot: str) -> str:
    """Answer the current page (again when answers reveal questions) and go on; returns the new URL."""
    url = page.url
    check_a11y(page)
    no_horizontal_scroll(page, PHONE["width"])
    for _attempt in range(3):
        answer_shown_questions(page, definition)
        screenshot(page, shot)
        page.get_by_role("button", name=re.compile("^(Volgende|Naar het overzicht)$")).click()
        page.wait_for_load_state()
        if page.url != url:
            return page.url
        expect(page.locator(".notice")).to_contain_text("vragen bijgekomen")
    raise AssertionError(f"stuck on {url}: {page.locator('.error-summary').all_inner_texts()}")


def test_retest_survey_on_a_phone_with_leaving_and_resuming(app, retest, new_page, screenshot):
    survey, definition, token, invitation_id = retest
    phone = new_page(**PHONE)
    phone.goto(f"/u/{token}")
    expect(phone.get_by_role("heading", level=1)).to_have_text(definition.title.nl)
    expect(phone.locator(".anonymity")).to_contain_text("Deze bevraging is pseudoniem.")
    check_a11y(phone)
    no_horizontal_scroll(phone, PHONE["width"])
    screenshot(phone, "survey-start-phone")
    phone.get_by_label("Uw naam (niet verplicht)").fill("Els")
    phone.get_by_role("button", name="Beginnen").click()
    expect(phone.locator(".progress-label")).to_contain_text("Pagina 1 van")

    for n in range(3):  # three pages, then the phone is put away
        answer_page(phone, definition, screenshot, f"survey-page-{n + 1}-phone")
    left_at = phone.url
    phone.context.close()
    db.session.commit()  # end the read snapshot: see what the live server wrote
    assert db.session.scalar(select(func.count()).select_from(Draft)) == 1

    later = new_page(**PHONE)  # a new browser context: no cookies, same invitation link
    later.goto(f"/u/{token}")
    expect(later.locator(".saved-note")).to_contain_text("Laatst bewaard door Els op")
    check_a11y(later)
    screenshot(later, "survey-resume-phone")
    later.get_by_role("button", name="Verdergaan").click()
    assert later.url == left_at
    pages_done = 3
    while "stap=overzicht" not in later.url:
        pages_done += 1
        answer_page(later, definition, screenshot, f"survey-page-{pages_done}-phone")
        assert pages_done < 40

    expect(later.get_by_role("heading", level=1)).to_have_text("Overzicht van uw antwoorden")
    expect(later.locator(".error-summary")).to_have_count(0)
    check_a11y(later)
    no_horizontal_scroll(later, PHONE["width"])
    screenshot(later, "survey-summary-phone")
    later.get_by_role("button", name="Antwoorden versturen").click()
    expect(later.get_by_role("heading", level=1)).to_have_text("Bedankt!")
    check_a11y(later)
    screenshot(later, "survey-thanks-phone")

    db.session.commit()  # end the read snapshot: see what the live server wrote
    response = db.session.scalars(select(Response)).one()
    assert response.version_id == survey.current_version.id
    assert db.session.scalar(select(func.count()).select_from(Draft)) == 0
    assert db.session.get(Invitation, invitation_id).response_id == response.id  # pseudonymous


@pytest.fixture
def flow_token(app, make_organisation):
    """The every-type test survey, open, and an invitation link token."""
    from app.surveys.loader import load_definition_text
    from app.surveys.versions import sync_definition
    from tests.surveys.flow_sample import flow_survey_text

    version, _ = sync_definition(load_definition_text(flow_survey_text(), "surveys/t.yaml"))
    version.survey.open()
    invitation = Invitation(survey=version.survey, organisation=make_organisation())
    db.session.add(invitation)
    token = invitation.issue_token()
    db.session.commit()
    return token


def test_errors_and_the_matrix_on_a_wide_screen_with_the_keyboard(page, flow_token, screenshot):
    token = flow_token
    page.goto(f"/u/{token}")
    page.keyboard.press("Tab")  # skip link first: the page starts where keyboard users expect
    expect(page.locator(".skip-link")).to_be_focused()
    page.get_by_role("button", name="Beginnen").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".progress-label")).to_have_text("Pagina 1 van 3")  # facebook page not shown yet

    page.get_by_role("button", name="Volgende").focus()
    page.keyboard.press("Enter")  # nothing answered: the required question is refused
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Deze vraag is verplicht. (Soort dienst?)")
    check_a11y(page)
    screenshot(page, "survey-error-desktop")
    summary.get_by_role("link").first.click()
    expect(page.locator("#q-soort-1")).to_be_focused()
    page.keyboard.press("ArrowDown")  # radios move with the arrow keys
    expect(page.locator("#q-soort-2")).to_be_checked()
    page.locator("#q-kanalen-1").focus()
    page.keyboard.press("Space")
    expect(page.locator("#q-kanalen-1")).to_be_checked()
    page.keyboard.press("Enter")  # submits the form from a checkbox: "Volgende" is the default
    expect(page.locator(".progress-label")).to_have_text("Pagina 2 van 4")

    matrix = page.locator(".matrix")
    expect(matrix.locator(".matrix-head")).to_be_visible()  # the table layout on wide screens
    check_a11y(page)
    screenshot(page, "survey-matrix-desktop")
    page.locator("#q-fb_tevreden-9").check()
    page.locator("#q-fb_stellingen_tijd-4").check()
    page.get_by_role("button", name="Volgende").click()
    expect(page.locator("#q-fb_stellingen_bereik-error")).to_contain_text("Beantwoord elke rij.")
    expect(page.locator("#q-fb_stellingen_tijd-4")).to_be_checked()  # kept
    expect(page.locator("#q-fb_tevreden-9")).to_be_checked()
    screenshot(page, "survey-matrix-error-desktop")
