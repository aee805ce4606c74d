"""Invitation pages over HTTP: access, preview, list with status, response-rate page, opt-out."""

from __future__ import annotations

from datetime import date

import pytest

from app.extensions import db
from app.invitations import services
from tests.helpers import Browserless, login, text_of

STAFF_PAGES = [
    "/beheer/uitnodigingen",
    "/beheer/bevragingen/herbevraging/uitnodigen",
    "/beheer/bevragingen/herbevraging/uitnodigingen",
    "/beheer/bevragingen/herbevraging/respons",
]


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_staff_pages_refuse_members_and_visitors(app, client, make_user, make_survey, url):
    make_survey()
    assert client.get(url).status_code == 302  # to the login page
    login(client, make_user(role="member"))
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", STAFF_PAGES[1:])
def test_unknown_survey_is_404(app, client, make_user, url):
    login(client, make_user(role="admin"))
    assert client.get(url.replace("herbevraging", "bestaat-niet")).status_code == 404


def test_preview_shows_who_will_be_invited_and_who_already_is(
    app, client, make_user, make_organisation, make_survey
):
    survey = make_survey()
    first = make_organisation(name="CAW Eerste", service_type="caw", region="antwerpen")
    make_organisation(name="CAW Tweede", service_type="caw", region="limburg")
    make_organisation(name="CLB Derde", service_type="clb", region="antwerpen")
    services.invite(survey, [first])
    db.session.commit()
    login(client, make_user(role="admin"))
    page = text_of(client.get("/beheer/bevragingen/herbevraging/uitnodigen?soort=caw"))
    assert "1 organisatie wordt nu uitgenodigd." in page
    assert "1 organisatie is al uitgenodigd" in page
    assert "CAW Tweede" in page and "CLB Derde" not in page
    page = text_of(client.get("/beheer/bevragingen/herbevraging/uitnodigen?regio=antwerpen&soort=clb"))
    assert "CLB Derde" in page and "CAW Tweede" not in page and "CAW Eerste" not in page


def test_invite_refused_for_a_closed_survey_shows_the_reason(
    app, client, make_user, make_organisation, make_survey
):
    make_survey(status="closed")
    make_organisation()
    login(client, make_user(role="admin"))
    response = Browserless(client).post(
        "/beheer/bevragingen/herbevraging/uitnodigen", {}, follow_redirects=True
    )
    assert "Deze bevraging is niet open" in text_of(response)


def test_list_and_response_rate_pages(app, client, make_user, make_organisation, make_survey):
    survey = make_survey()
    done, busy = services.invite(
        survey, [make_organisation(name="Klaar", service_type="clb"), make_organisation(name="Bezig")]
    )
    done.finished_on = date.today()
    busy.started_on = date.today()
    db.session.commit()
    login(client, make_user(role="researcher"))
    listing = text_of(client.get("/beheer/bevragingen/herbevraging/uitnodigingen"))
    assert "afgerond" in listing and "begonnen" in listing and "2 uitnodigingen" in listing
    page = text_of(client.get("/beheer/bevragingen/herbevraging/respons"))
    assert '<svg class="bar-chart' in page and 'role="img"' in page
    assert "Respons per soort dienst" in page and "Respons per regio" in page
    assert "CLB" in page and "50%" in page and "100%" in page
    overview = text_of(client.get("/beheer/uitnodigingen"))
    assert "Herbevraging sociale media" in overview


def test_reminder_form_errors_are_flashed(app, client, make_user, make_survey):
    make_survey()
    login(client, make_user(role="admin"))
    response = Browserless(client).post(
        "/beheer/bevragingen/herbevraging/herinneren",
        {"min_days": "0"},
        token_url="/beheer/bevragingen/herbevraging/uitnodigingen",
        follow_redirects=True,
    )
    assert "Kies tussen 1 en 365 dagen." in text_of(response)


def test_opt_out_with_an_unknown_token_is_404(client):
    assert client.get("/u/onbekend/afmelden").status_code == 404


def test_opt_out_twice_is_harmless(app, client, make_organisation, make_survey):
    survey = make_survey()
    (invitation,) = services.invite(survey, [make_organisation()])
    token = invitation.token
    db.session.commit()
    forms = Browserless(client)
    csrf = forms.token(f"/u/{token}/afmelden")
    client.post(f"/u/{token}/afmelden", data={"csrf_token": csrf})
    page = text_of(client.post(f"/u/{token}/afmelden", data={"csrf_token": csrf}))  # e.g. a second tab
    assert "krijgt geen mails meer" in page
