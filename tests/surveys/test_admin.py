"""Staff pages: list with status and counts, open/close, dates, public link, preview, XLSForm upload,
menu and overview, and the demo loader."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.core.clock import local_today
from app.extensions import db
from app.surveys import services
from app.surveys.models import Draft, Response, Survey
from tests.helpers import login

from flow_sample import END, FACEBOOK, FIGURES, PROFILE  # isort: skip
from test_xlsform import INVALID, SETTINGS, VALID, workbook  # isort: skip


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def staff(client, make_user):
    login(client, make_user(role="researcher"))
    return client


def test_list_shows_status_version_and_counts(staff, flow_survey, make_invitation, walker, app):
    survey = flow_survey("anonymous")
    _inv, token = make_invitation(survey)
    w = walker(app.test_client(), f"/u/{token}")
    w.start()
    w.page("profiel", PROFILE)
    html = staff.get("/beheer/bevragingen/").get_data(as_text=True)
    assert "Testbevraging" in html and "flow-test" in html
    row = html[html.index("Testbevraging"):]
    row = row[: row.index("</tr>")]
    assert ">open<" in row and '<td class="num">1</td>' in row  # version 1, one draft in progress


def test_open_close_and_bad_transitions(staff, flow_survey, forms):
    survey = flow_survey("anonymous", open_it=False)
    url = f"/beheer/bevragingen/{survey.id}/status"
    page = f"/beheer/bevragingen/{survey.id}"
    bad = forms.post(url, {"actie": "sluiten"}, token_url=page, follow_redirects=True)
    assert "Enkel een open bevraging kan gesloten worden." in bad.get_data(as_text=True)
    ok = forms.post(url, {"actie": "openen"}, token_url=page, follow_redirects=True)
    assert "De bevraging is open." in ok.get_data(as_text=True)
    again = forms.post(url, {"actie": "openen"}, token_url=page, follow_redirects=True)
    assert "Deze bevraging is al open." in again.get_data(as_text=True)
    forms.post(url, {"actie": "sluiten"}, token_url=page)
    assert db.session.get(Survey, survey.id).status == "closed"


def test_dates_schedule_the_survey(staff, flow_survey, forms, make_invitation, walker, app):
    survey = flow_survey("anonymous")
    page = f"/beheer/bevragingen/{survey.id}"
    later = local_today() + timedelta(days=5)
    response = forms.post(f"{page}/data", {"opens_on": later.isoformat(), "closes_on": ""}, token_url=page)
    assert response.status_code == 302
    assert "gepland" in staff.get(page).get_data(as_text=True)
    _inv, token = make_invitation(survey)
    closed = app.test_client().get(f"/u/{token}").get_data(as_text=True)
    assert "Deze bevraging is nog niet open" in closed
    wrong = forms.post(f"{page}/data", {"opens_on": later.isoformat(),
                                        "closes_on": (later - timedelta(days=1)).isoformat()}, token_url=page)
    assert wrong.status_code == 400
    assert "De sluitingsdatum ligt voor de openingsdatum." in wrong.get_data(as_text=True)
    today = local_today()  # the site's day: between 22:00 and 24:00 UTC it is not the UTC day
    both = {"opens_on": today.isoformat(), "closes_on": today.isoformat()}
    forms.post(f"{page}/data", both, token_url=page)
    survey = db.session.get(Survey, survey.id)
    assert survey.is_accepting()
    assert f'value="{today.isoformat()}"' in staff.get(page).get_data(as_text=True)


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    ("day", "first_moment", "last_moment"),
    [
        # winter: Brussels is UTC+1, so 30 November starts at 23:00 UTC on the 29th
        (date(2026, 11, 30), utc(2026, 11, 29, 23, 0), utc(2026, 11, 30, 22, 59)),
        # summer: UTC+2
        (date(2026, 7, 15), utc(2026, 7, 14, 22, 0), utc(2026, 7, 15, 21, 59)),
    ],
)
def test_dates_are_whole_days_in_the_site_time_zone(flow_survey, make_user, day, first_moment, last_moment):
    survey = flow_survey("anonymous")
    services.set_dates(survey, day, day, make_user(role="researcher"))
    assert not survey.is_accepting(first_moment - timedelta(minutes=1))
    assert survey.is_accepting(first_moment)
    assert survey.is_accepting(last_moment)
    assert not survey.is_accepting(last_moment + timedelta(minutes=1))
    assert services.local_day(survey.opens_at) == day
    assert services.local_day(survey.closes_at, end=True) == day


def test_public_link_on_shows_the_full_url_and_off_stops_it(staff, flow_survey, forms, app):
    survey = flow_survey("anonymous")
    page = f"/beheer/bevragingen/{survey.id}"
    forms.post(f"{page}/open-link", {"actie": "aan"}, token_url=page)
    html = staff.get(page).get_data(as_text=True)
    assert f"http://localhost/e/{survey.public_token}" in html
    assert app.test_client().get(f"/e/{survey.public_token}").status_code == 200
    forms.post(f"{page}/open-link", {"actie": "uit"}, token_url=page)
    assert app.test_client().get(f"/e/{survey.public_token}").status_code == 404


def test_preview_walks_the_survey_and_stores_nothing(staff, flow_survey, walker):
    survey = flow_survey("anonymous", open_it=False)  # previews work before opening
    w = walker(staff, f"/beheer/bevragingen/{survey.id}/voorbeeld")
    start = w.get().get_data(as_text=True)
    assert "Er wordt niets bewaard of verstuurd." in start and "Deze bevraging is anoniem." in start
    w.start()
    assert "pagina=facebook" in w.page("profiel", PROFILE).location
    w.page("facebook", FACEBOOK)
    bad = w.page("cijfers", {"q-medewerkers": "x"}).get_data(as_text=True)
    assert "Vul een geheel getal in." in bad  # the same validation as respondents get
    w.page("cijfers", FIGURES)
    w.page("slot", END)
    assert "12 personen" in w.get(stap="overzicht").get_data(as_text=True)
    response = w.submit()
    assert "stap=bedankt" in response.location
    assert "In het voorbeeld is niets verstuurd of bewaard." in w.get(stap="bedankt").get_data(as_text=True)
    assert count(Draft) == 0 and count(Response) == 0


def test_versions_are_listed_with_fingerprint_and_response_count(staff, flow_survey):
    survey = flow_survey("anonymous")
    html = staff.get(f"/beheer/bevragingen/{survey.id}").get_data(as_text=True)
    assert survey.current_version.fingerprint[:12] in html
    assert f'href="/beheer/bevragingen/{survey.slug}/uitnodigen"' in html  # the invitation pages


def test_xlsform_upload_gives_yaml_or_the_list_of_problems(staff, forms, tmp_path):
    url = "/beheer/bevragingen/xlsform"
    good = workbook(tmp_path / "form.xlsx", VALID, settings=SETTINGS)
    with good.open("rb") as handle:
        response = forms.post(url, {"file": (handle, "Mijn vragen.xlsx")}, content_type="multipart/form-data")
    assert response.status_code == 200 and response.mimetype == "application/x-yaml"
    assert 'filename="Mijnvragen.yaml"' in response.headers["Content-Disposition"]
    assert "slug: herbevraging-2026" in response.get_data(as_text=True)
    bad = workbook(tmp_path / "bad.xlsx", INVALID)
    with bad.open("rb") as handle:
        response = forms.post(url, {"file": (handle, "bad.xlsx")}, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert "Dit formulier kan niet omgezet worden" in html
    assert "type &#39;geopoint&#39; is not supported" in html


def test_menu_and_overview_show_surveys_to_staff_only(client, make_user, flow_survey):
    flow_survey("anonymous")
    login(client, make_user(role="member"))
    assert "/beheer/bevragingen/" not in client.get("/").get_data(as_text=True)
    staff_client = client.application.test_client()
    login(staff_client, make_user(role="admin"))
    home = staff_client.get("/").get_data(as_text=True)
    assert 'href="/beheer/bevragingen/"' in home  # menu entry and "all surveys"
    assert "Testbevraging" in home and "0 antwoorden, 0 bezig" in home


def test_demo_loader_opens_the_retest_survey_with_its_public_link_twice(app):
    from app.surveys.demo import RETEST_SLUG, load_demo_surveys

    assert load_demo_surveys in app.extensions["demo_loaders"]
    first = load_demo_surveys()
    second = load_demo_surveys()
    assert any("created" in line for line in first) and any("unchanged" in line for line in second)
    survey = db.session.scalar(select(Survey).where(Survey.slug == RETEST_SLUG))
    assert survey.is_accepting() and survey.public_link_enabled
    assert app.test_client().get(f"/e/{survey.public_token}").status_code == 200
