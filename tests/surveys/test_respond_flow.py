"""The respondent flow: conditions, summary, submit, resume, double submit, links that do not work."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.core.models import utcnow
from app.extensions import db
from app.invitations.models import Invitation
from app.surveys.models import Answer, Draft, Response

from flow_sample import END, FACEBOOK, FIGURES, PROFILE, complete  # isort: skip


def same_page(response) -> str:
    return re.sub(r"next=[^\"&]*", "next=", response.get_data(as_text=True))


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def stored_answers() -> dict:
    db.session.expire_all()
    rows = db.session.execute(select(Answer.variable, Answer.item, Answer.num, Answer.text)).all()
    return {(r.variable, r.item): r.text if r.text is not None else r.num for r in rows}


@pytest.fixture
def invited(client, flow_survey, make_invitation, walker):
    def factory(anonymity="pseudonymous", a_client=None):
        survey = flow_survey(anonymity)
        invitation, token = make_invitation(survey)
        w = walker(a_client or client, f"/u/{token}")
        w.survey, w.invitation, w.token = survey, invitation, token
        return w

    return factory


def test_full_walk_progress_summary_submit_and_thank_you(invited):
    walk = invited("pseudonymous")
    start = walk.get().get_data(as_text=True)
    assert "Testbevraging" in start and "Tweede alinea." in start
    assert "Deze bevraging is pseudoniem." in start
    complete(walk)
    page = walk.get(pagina="cijfers").get_data(as_text=True)
    assert "Pagina 3 van 4" in page and '<progress max="4" value="3"' in page
    summary = walk.get(stap="overzicht").get_data(as_text=True)
    for shown in (
        "CAW",
        "Limburg",
        "Facebook",
        "Instagram",
        "eens",
        "helemaal eens",
        "weet niet / n.v.t.",
        "12 personen",
        "2,5",
        "15/03/2015",
        "Tot ziens",
    ):
        assert shown in summary
    assert summary.index("Hulp bieden") < summary.index("Informeren") < summary.index("Werven")
    assert "?pagina=cijfers#question-medewerkers" in summary  # "wijzig" goes to the page
    response = walk.submit()
    assert response.status_code == 302
    thanks = walk.get().get_data(as_text=True)
    assert "Bedankt!" in thanks
    assert count(Response) == 1 and count(Draft) == 0
    answers = stored_answers()
    assert answers[("soort", 0)] == 1 and answers[("kanalen", 1)] == 1 and answers[("kanalen", 2)] == 2
    assert answers[("fb_stellingen_bereik", 0)] == 9 and answers[("uren", 0)] == 2.5
    assert answers[("volgorde", 2)] == 1 and answers[("volgorde", 1)] == 2  # item = code, num = rank
    assert answers[("gestart", 0)] == "2015-03-15"
    invitation = db.session.get(Invitation, walk.invitation.id)
    response_row = db.session.scalars(select(Response)).one()
    assert invitation.finished_on is not None and invitation.response_id == response_row.id
    assert response_row.organisation_id == invitation.organisation_id
    assert response_row.submitted_at is not None  # pseudonymous: the time is kept


def test_hidden_pages_are_skipped_and_hidden_answers_are_not_stored(invited):
    walk = invited("anonymous")
    walk.start()
    walk.page("profiel", {"q-soort": "3", "q-soort_anders": "Buurtwerk", "q-kanalen": ["1"]})
    walk.page("profiel", {"q-soort": "3", "q-soort_anders": "Buurtwerk", "q-kanalen": ["1"]})
    walk.page("facebook", FACEBOOK)
    # Change of mind: no Facebook, not "other" -> the facebook page and soort_anders are hidden.
    response = walk.page("profiel", {"q-soort": "2", "q-kanalen": ["2"]})
    assert "pagina=cijfers" in response.location  # the facebook page is skipped
    assert "Pagina 2 van 3" in walk.get(pagina="cijfers").get_data(as_text=True)
    walk.page("cijfers", FIGURES)
    walk.page("slot", END)
    summary = walk.get(stap="overzicht").get_data(as_text=True)
    assert "Buurtwerk" not in summary and "Facebook werkt goed" not in summary
    walk.submit()
    names = {name for name, _item in stored_answers()}
    assert "soort_anders" not in names
    assert not names & {"fb_tevreden", "fb_stellingen_tijd", "fb_stellingen_bereik"}
    assert {"soort", "kanalen", "medewerkers"} <= names


def test_a_hidden_page_cannot_be_opened_by_its_address(invited):
    walk = invited()
    walk.start()
    walk.page("profiel", {"q-soort": "1", "q-kanalen": ["2"]})
    response = walk.get(pagina="facebook")
    assert response.status_code == 302 and "pagina=profiel" in response.location


def test_the_summary_refuses_to_submit_while_required_answers_are_missing(invited):
    walk = invited()
    walk.start()
    walk.page("profiel", PROFILE)
    walk.page("slot", END)  # skipped "facebook" and "cijfers" through their addresses
    response = walk.submit()
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'role="alert"' in html
    assert 'Deze vraag is verplicht.</a> <span class="error-question">(Hoeveel medewerkers?)' in html
    assert "?pagina=facebook#question-fb_tevreden" in html
    assert count(Response) == 0 and count(Draft) == 1


def test_invitation_draft_is_shared_and_resumed_by_a_second_client(invited, app):
    first, second = app.test_client(), app.test_client()
    walk = invited("pseudonymous", first)
    walk.start(name="Els")
    walk.page("profiel", PROFILE)
    walk.page("facebook", FACEBOOK)
    invitation = db.session.get(Invitation, walk.invitation.id)
    assert invitation.started_on == utcnow().date()

    other = type(walk)(second, walk.base)
    start = other.get().get_data(as_text=True)
    assert "Laatst bewaard door Els op" in start and "Verdergaan" in start
    response = other.start(name="Jan")
    assert "pagina=cijfers" in response.location  # where the colleague left off
    page = other.get(pagina="profiel").get_data(as_text=True)
    assert 'name="q-soort" value="1" checked' in page and '<option value="2" selected>' in page
    other.page("cijfers", FIGURES)
    assert "Laatst bewaard door Jan op" in other.get(pagina="slot").get_data(as_text=True)
    other.page("slot", END)
    other.submit()
    assert count(Response) == 1
    assert "Bedankt!" in walk.get(pagina="profiel").get_data(as_text=True)  # the first one too


def test_anonymous_invitations_do_not_ask_or_store_a_name(invited):
    walk = invited("anonymous")
    assert 'name="name"' not in walk.get().get_data(as_text=True)
    walk.start(name="Els")
    walk.page("profiel", PROFILE)
    db.session.expire_all()
    assert db.session.scalars(select(Draft)).one().updated_by is None


def test_double_submit_and_a_second_colleague_see_thank_you_and_one_response(invited, app, walker):
    walk = invited("identified")
    complete(walk)
    summary = walk.get(stap="overzicht").get_data(as_text=True)
    token = summary.split('name="csrf_token" value="')[1].split('"')[0]
    data = {"csrf_token": token, "actie": "versturen"}
    first = walk.client.post(walk.base, query_string={"stap": "overzicht"}, data=data)
    second = walk.client.post(walk.base, query_string={"stap": "overzicht"}, data=data)
    assert first.status_code == 302
    assert second.status_code == 200 and "Bedankt!" in second.get_data(as_text=True)
    colleague = walker(app.test_client(), walk.base)
    colleague_page = colleague.get(stap="overzicht")
    assert "Bedankt!" in colleague_page.get_data(as_text=True)
    assert count(Response) == 1 and count(Answer) > 0


@pytest.mark.parametrize("case", ["forged", "opted-out", "purged", "public-off", "public-forged"])
def test_links_that_do_not_work_all_give_the_same_page(case, client, flow_survey, make_invitation):
    survey = flow_survey("anonymous", public=False)
    invitation, token = make_invitation(survey)
    reference = client.get("/u/" + "x" * 32)
    if case == "forged":
        url = "/u/" + token[:-2] + "aa"
    elif case == "opted-out":
        invitation.opted_out_at = utcnow()
        db.session.commit()
        url = "/u/" + token
    elif case == "purged":
        invitation.token_salt = invitation.token_hash = None
        db.session.commit()
        url = "/u/" + token
    elif case == "public-off":
        url = "/e/" + survey.public_token
    else:
        url = "/e/" + "y" * 16
    response = client.get(url)
    assert response.status_code == reference.status_code == 404
    # Identical but for the page's own address in the language switch (which the visitor typed).
    assert same_page(response) == same_page(reference)
    assert "Deze link werkt niet" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"status": "closed"}, "Deze bevraging is gesloten"),
        ({"status": "draft"}, "Deze bevraging is nog niet open"),
        ({"opens_at": timedelta(days=3)}, "Deze bevraging is nog niet open"),
        ({"closes_at": timedelta(days=-1)}, "Deze bevraging is gesloten"),
    ],
)
def test_a_survey_that_does_not_accept_answers_says_so(invited, change, expected):
    walk = invited()
    survey = walk.survey
    for name, value in change.items():
        setattr(survey, name, utcnow() + value if isinstance(value, timedelta) else value)
    db.session.commit()
    html = walk.get(pagina="profiel").get_data(as_text=True)
    assert expected in html and 'name="q-soort"' not in html


@pytest.mark.parametrize(
    ("anonymity", "promise"),
    [
        ("anonymous", "geen account, geen uitnodiging of organisatie, geen IP-adres"),
        ("anonymous", "Niets in onze databank kan uw uitnodiging aan uw antwoorden koppelen."),
        ("pseudonymous", "een code (pseudoniem) in plaats van de naam van uw organisatie"),
        ("identified", "Deze bevraging is niet anoniem."),
    ],
)
def test_the_first_page_states_what_is_stored(invited, anonymity, promise):
    assert promise in invited(anonymity).get().get_data(as_text=True)


def test_a_page_shows_each_respondents_own_answers_and_errors_though_blank_questions_are_kept(invited):
    """Unanswered questions are rendered once and kept (app.surveys.forms.question_html); answered
    ones, and ones with an error, are always rendered for the respondent at hand."""
    first, second = invited("pseudonymous"), invited("pseudonymous")
    for walk in (first, second):
        walk.start()
    blank = [same_page(w.get(pagina="profiel")) for w in (first, second)]
    assert 'value="1" checked' not in blank[0] and blank[0].count("checked") == 0
    first.page("profiel", {"q-soort": "1", "q-kanalen": ["1", "2"]}, action="bewaren")
    mine = first.get(pagina="profiel").get_data(as_text=True)
    assert 'id="q-soort-1" name="q-soort" value="1" checked' in mine
    assert 'id="q-kanalen-2" name="q-kanalen" value="2" checked' in mine
    theirs = second.get(pagina="profiel").get_data(as_text=True)
    assert "checked" not in theirs  # the first respondent's answers never reach the second
    refused = second.page("profiel", {"q-soort": "77"}).get_data(as_text=True)
    assert 'aria-invalid="true"' in refused and "error-soort" in refused


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"pagina": "profiel"},
        {"stap": "overzicht"},
        {"pagina": "a b/c?d&e=f#g", "stap": "é+ü"},
        {"pagina": None},
    ],
)
def test_a_respondents_links_are_the_ones_url_for_builds(app, flow_survey, make_invitation, params):
    from flask import url_for

    from app.surveys import respondents

    survey = flow_survey("anonymous", public=True)
    _invitation, token = make_invitation(survey)
    for base_url in ("http://localhost/", "http://localhost/enquete/"):
        with app.test_request_context("/", base_url=base_url):
            invitation, current = respondents.open_invitation(token)
            invited = respondents.InvitationRespondent(invitation, token, current=current)
            assert invited.url(**params) == url_for("surveys.respond_invitation", token=token, **params)
            assert invited.url(**params) == url_for(
                "surveys.respond_invitation", token=token, **params
            )  # kept
            public = respondents.PublicRespondent(respondents.find_public_survey(survey.public_token))
            expected = url_for("surveys.respond_public", public_token=survey.public_token, **params)
            assert public.url(**params) == expected
