"""The public link: a draft per respondent, the resume link, one submit per browser, limits per address."""

import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.surveys.models import Draft, Response

from flow_sample import END, FACEBOOK, FIGURES, PROFILE  # isort: skip

RESUME_RE = re.compile(r'class="resume-url">([^<]+)</a>')


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def public(client, flow_survey, walker):
    survey = flow_survey("anonymous", public=True)
    w = walker(client, f"/e/{survey.public_token}")
    w.survey = survey
    return w


def test_the_same_browser_resumes_automatically_and_sees_its_resume_link(public):
    assert "Beginnen" in public.get().get_data(as_text=True)
    public.start()
    response = public.page("profiel", PROFILE)
    assert "pagina=facebook" in response.location
    page = public.get(pagina="facebook").get_data(as_text=True)
    assert "Bewaar deze link om later verder te gaan" in page
    link = RESUME_RE.search(page).group(1)
    assert f"/e/{public.survey.public_token}/verder/" in link
    assert "Verdergaan" in public.get().get_data(as_text=True)
    assert "pagina=facebook" in public.start().location  # the page it went on to
    assert count(Draft) == 1


def test_the_resume_link_continues_on_another_device(public, app, walker):
    public.start()
    public.page("profiel", PROFILE)
    link = RESUME_RE.search(public.get(pagina="facebook").get_data(as_text=True)).group(1)
    other_client = app.test_client()
    response = other_client.get(link.replace("http://localhost", ""))
    assert response.status_code == 302 and "pagina=facebook" in response.location
    other = walker(other_client, public.base)
    page = other.get(pagina="profiel").get_data(as_text=True)
    assert 'name="q-soort" value="1" checked' in page
    other.page("facebook", FACEBOOK)
    other.page("cijfers", FIGURES)
    other.page("slot", END)
    assert other.submit().status_code == 302
    assert "Bedankt!" in other.get().get_data(as_text=True)
    assert count(Response) == 1 and count(Draft) == 0
    # The first device's draft went with the submit; its resume link no longer works.
    assert other_client.get(link.replace("http://localhost", "")).status_code == 404


def test_a_public_response_cannot_be_changed_or_repeated_from_the_same_browser(public):
    public.start()
    public.page("profiel", PROFILE)
    public.page("facebook", FACEBOOK)
    public.page("cijfers", FIGURES)
    public.page("slot", END)
    summary = public.get(stap="overzicht").get_data(as_text=True)
    token = summary.split('name="csrf_token" value="')[1].split('"')[0]
    data = {"csrf_token": token, "actie": "versturen"}
    assert public.client.post(public.base, query_string={"stap": "overzicht"}, data=data).status_code == 302
    again = public.client.post(public.base, query_string={"stap": "overzicht"}, data=data)
    assert "Bedankt!" in again.get_data(as_text=True)
    change = public.client.post(public.base, query_string={"pagina": "profiel"},
                                data={"csrf_token": token, "q-soort": "2", "getoond": "soort"})
    assert "Bedankt!" in change.get_data(as_text=True)
    assert "Bedankt!" in public.get().get_data(as_text=True)
    assert count(Response) == 1 and count(Draft) == 0


def test_double_click_from_a_browser_whose_cookie_lags_behind_shows_thank_you(public, app):
    public.start()
    public.page("profiel", PROFILE)
    public.page("facebook", FACEBOOK)
    public.page("cijfers", FIGURES)
    public.page("slot", END)
    cookie = public.client.get_cookie("wwwelzijn_session").value
    summary = public.get(stap="overzicht").get_data(as_text=True)
    token = summary.split('name="csrf_token" value="')[1].split('"')[0]
    data = {"csrf_token": token, "actie": "versturen"}
    public.client.post(public.base, query_string={"stap": "overzicht"}, data=data)
    late = app.test_client()  # the second request still carries the cookie from before the submit
    late.set_cookie("wwwelzijn_session", cookie)
    response = late.post(public.base, query_string={"stap": "overzicht"}, data=data)
    assert response.status_code == 200 and "Bedankt!" in response.get_data(as_text=True)
    assert count(Response) == 1


def test_submits_per_client_address_are_limited(public, app, walker):
    app.config["SURVEY_PUBLIC_SUBMITS_PER_HOUR"] = 1
    statuses = []
    for _ in range(2):
        w = walker(app.test_client(), public.base)
        w.start()
        w.page("profiel", {"q-soort": "1", "q-kanalen": ["2"]})
        w.page("cijfers", FIGURES)
        w.page("slot", END)
        statuses.append(w.submit().status_code)
    assert statuses == [302, 429]
    assert count(Response) == 1


def test_a_broken_resume_link_does_not_work(public):
    response = public.client.get(f"{public.base}/verder/not-a-real-resume-token")
    assert response.status_code == 404 and "Deze link werkt niet" in response.get_data(as_text=True)
