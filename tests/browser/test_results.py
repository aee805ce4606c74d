"""Results in a real browser: a researcher filters, cross-tabulates and downloads a CSV."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.results.seed import seed

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"


@pytest.fixture
def seeded_server(live_server):
    from app.extensions import db

    with live_server.app.app_context():
        seed(40)
        db.session.remove()
    return live_server


def test_researcher_filters_crosstabs_and_downloads(
    seeded_server, page, phone, ui_login, make_user, check_a11y, screenshot
):
    user = make_user(role="researcher")
    # a second researcher for the phone: the first one's one-time code gets used (no replays)
    colleague = make_user(role="researcher")
    ui_login(page, user.email, PASSWORD)
    page.goto("/resultaten/")
    page.get_by_role("link", name="Testbevraging").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Testbevraging")
    expect(page.locator(".lead")).to_contain_text("40 antwoorden in deze selectie")
    check_a11y(page)

    filters = page.get_by_role("search", name="Resultaten filteren")
    filters.get_by_label("Soort dienst").select_option(label="CAW")
    filters.get_by_role("button", name="Filteren").click()
    expect(page.locator(".lead")).to_contain_text("20 antwoorden in deze selectie")

    crosstab = page.get_by_role("form", name="Kruistabel kiezen")
    crosstab.get_by_label("Rijen").select_option("regio")
    crosstab.get_by_label("Kolommen").select_option("kanalen")
    crosstab.get_by_role("button", name="Kruistabel tonen").click()
    table = page.locator("table.crosstab")
    expect(table).to_be_visible()
    # Antwerpen x (Facebook 10, Instagram 4): the 4 is hidden and so is the 10 that would reveal it
    expect(table.get_by_role("row", name=re.compile("Antwerpen"))).to_have_text(
        re.compile(r"Antwerpen\s*< 5\s*< 5\s*0\s*14")
    )
    expect(page.locator(".lead")).to_contain_text("20 antwoorden")  # the filter stayed on
    screenshot(page, "results-crosstab")
    check_a11y(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV", exact=True).click()
    download = download_info.value
    assert download.suggested_filename == "testbevraging.csv"
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert len(rows) == 40

    # SPSS and Stata files come from the site's own streaming writers: they open with labels.
    import pyreadstat

    for name, read in [("SPSS (.sav)", pyreadstat.read_sav), ("Stata (.dta)", pyreadstat.read_dta)]:
        with page.expect_download() as download_info:
            page.get_by_role("link", name=name, exact=True).click()
        frame, meta = read(download_info.value.path())
        assert len(frame) == 40 and "soort_dienst" in frame.columns, name
        assert meta.column_names_to_labels["soort_dienst"], name
        assert meta.variable_value_labels["soort_dienst"], name

    ui_login(phone, colleague.email, PASSWORD)
    phone.goto("/resultaten/testbevraging")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Testbevraging")
    screenshot(phone, "results-phone")
    check_a11y(phone)


def test_visitor_sees_the_findings_board(seeded_server, page, check_a11y, screenshot):
    page.goto("/bevindingen")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bevindingen van 2014")
    screenshot(page, "findings-board")
    check_a11y(page)
