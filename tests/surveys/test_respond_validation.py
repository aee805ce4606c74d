"""Every question type through the HTTP flow: good values are saved, bad ones are shown at the field
and in the summary at the top, and the other answers on the page are kept."""

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.surveys.models import Draft


def draft_answers(survey) -> dict:
    db.session.expire_all()
    draft = db.session.scalar(select(Draft).where(Draft.survey_id == survey.id))
    return draft.answers if draft else {}


@pytest.fixture
def walk(client, flow_survey, make_invitation, walker):
    survey = flow_survey("anonymous")
    _invitation, token = make_invitation(survey)
    w = walker(client, f"/u/{token}")
    w.survey = survey
    return w


GOOD = [
    (
        "profiel",
        {"q-soort": "1", "q-regio": "2", "q-kanalen": ["3", "1"], "q-kanalen-other": " Mastodon "},
        {"soort": 1, "regio": 2, "kanalen": [1, 3], "kanalen_other": "Mastodon"},
    ),
    (
        "facebook",
        {"q-fb_tevreden": "9", "q-fb_stellingen_tijd": "4", "q-fb_stellingen_bereik": "9"},
        {"fb_tevreden": 9, "fb_stellingen_tijd": 4, "fb_stellingen_bereik": 9},
    ),
    (
        "cijfers",
        {"q-medewerkers": "12", "q-uren": "3,5", "q-gestart": "15/03/2015"},
        {"medewerkers": 12, "uren": 3.5, "gestart": "2015-03-15"},
    ),
    (
        "slot",
        {"q-volgorde-1": "2", "q-volgorde-2": "3", "q-volgorde-3": "1", "q-opmerking": "Dank\r\nje"},
        {"volgorde": [3, 1, 2], "opmerking": "Dank\nje"},
    ),
]


@pytest.mark.parametrize(("page", "data", "stored"), GOOD, ids=[g[0] for g in GOOD])
def test_good_values_are_saved_in_the_draft_and_the_flow_moves_on(walk, page, data, stored):
    walk.page("profiel", {"q-soort": "2", "q-kanalen": ["1"]})  # makes the facebook page visible
    response = walk.page(page, data)
    assert response.status_code == 302
    assert "pagina=" in response.location or "stap=overzicht" in response.location
    answers = draft_answers(walk.survey)
    for name, value in stored.items():
        assert answers[name] == value


# (page, posted data, field id in error, message, a kept answer: (input id, its posted value))
BAD = [
    ("single-required", "profiel", {"q-regio": "2"}, "error-soort", "Deze vraag is verplicht.",
     'id="q-regio"', '<option value="2" selected>'),
    ("single-unknown", "profiel", {"q-soort": "7", "q-regio": "2"}, "error-soort",
     "Kies een van de aangeboden antwoorden.", None, '<option value="2" selected>'),
    ("dropdown-unknown", "profiel", {"q-soort": "1", "q-regio": "5"}, "error-regio",
     "Kies een van de aangeboden antwoorden.", None, 'id="q-soort-1" name="q-soort" value="1" checked'),
    ("multiple-too-many", "profiel", {"q-soort": "1", "q-kanalen": ["1", "2", "3"], "q-kanalen-other": "X"},
     "error-kanalen", "Kies hoogstens 3 antwoorden.", None, 'name="q-soort" value="1" checked'),
    ("other-too-long", "profiel", {"q-soort": "2", "q-kanalen-other": "x" * 201}, "q-kanalen-other-error",
     "Gebruik hoogstens 200 tekens (nu 201).", None, 'id="q-soort-2" name="q-soort" value="2" checked'),
    ("likert-required", "facebook", {"q-fb_stellingen_tijd": "1", "q-fb_stellingen_bereik": "2"},
     "error-fb_tevreden", "Deze vraag is verplicht.", None,
     'id="q-fb_stellingen_tijd-1" name="q-fb_stellingen_tijd" value="1" checked'),
    ("likert-unknown", "facebook", {"q-fb_tevreden": "6", "q-fb_stellingen_tijd": "3"},
     "error-fb_tevreden", "Kies een van de aangeboden antwoorden.", None,
     'name="q-fb_stellingen_tijd" value="3" checked'),
    ("matrix-row-missing", "facebook", {"q-fb_tevreden": "4", "q-fb_stellingen_tijd": "5"},
     "q-fb_stellingen_bereik-error", "Beantwoord elke rij.", None,
     'id="q-fb_tevreden-4" name="q-fb_tevreden" value="4" checked'),
    ("number-not-integer", "cijfers", {"q-medewerkers": "twaalf", "q-uren": "2"}, "error-medewerkers",
     "Vul een geheel getal in.", None, 'name="q-uren" value="2"'),
    ("number-too-large", "cijfers", {"q-medewerkers": "501", "q-uren": "2"}, "error-medewerkers",
     "Vul hoogstens 500 in.", None, 'name="q-uren" value="2"'),
    ("decimal-not-a-number", "cijfers", {"q-medewerkers": "3", "q-uren": "3,5,1"}, "error-uren",
     "Vul een getal in.", None, 'name="q-medewerkers" value="3"'),
    ("date-invalid", "cijfers", {"q-medewerkers": "3", "q-gestart": "31/02/2020"}, "error-gestart",
     "Vul een geldige datum in (dd/mm/jjjj).", None, 'name="q-medewerkers" value="3"'),
    ("date-too-early", "cijfers", {"q-medewerkers": "3", "q-gestart": "1999-12-31"}, "error-gestart",
     "Vul een datum vanaf 01/01/2000 in.", None, 'name="q-medewerkers" value="3"'),
    ("ranking-duplicate", "slot", {"q-volgorde-1": "1", "q-volgorde-2": "1", "q-volgorde-3": "2",
                                   "q-opmerking": "ok"}, "error-volgorde",
     "Gebruik elk rangnummer van 1 tot 3 precies één keer.", None, ">ok</textarea>"),
    ("ranking-incomplete", "slot", {"q-volgorde-1": "1", "q-opmerking": "ok"}, "error-volgorde",
     "Geef elk antwoord een rangnummer.", None, ">ok</textarea>"),
    ("long-text-too-long", "slot", {"q-opmerking": "y" * 51, "q-volgorde-1": "3"}, "error-opmerking",
     "Gebruik hoogstens 50 tekens (nu 51).", None, '<option value="3" selected>3</option>'),
]


@pytest.mark.parametrize(("case", "page", "data", "error_id", "message", "extra", "kept"), BAD,
                         ids=[b[0] for b in BAD])
def test_bad_values_are_shown_next_to_the_field_and_in_the_summary(
    walk, case, page, data, error_id, message, extra, kept
):
    walk.page("profiel", {"q-soort": "2", "q-kanalen": ["1"]})
    response = walk.page(page, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200  # the same page again, not the next one
    top = html.index('class="error-summary"')
    summary = html[top : html.index("</div>", top)]
    assert message in summary
    field_error = re.search(rf'id="{re.escape(error_id)}">(.*?)</p>', html, re.S)
    assert field_error and message in field_error.group(1)
    assert 'aria-invalid="true"' in html
    assert kept in html, f"the other answer on the page was lost ({case})"
    if extra:
        assert extra in html


def test_error_summary_links_to_the_first_input_of_the_question(walk):
    html = walk.page("profiel", {}).get_data(as_text=True)
    link = '<a href="#q-soort-1">Deze vraag is verplicht.</a> <span class="error-question">(Soort dienst?)'
    assert link in html
    assert 'aria-describedby="error-soort"' in html  # the fieldset points at its message
    assert "<title>Fout: Profiel" in html


def test_a_question_revealed_on_the_same_page_is_asked_before_moving_on(walk):
    response = walk.page("profiel", {"q-soort": "3"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Door uw antwoord zijn er vragen bijgekomen" in html
    assert 'id="q-soort_anders"' in html
    assert "error-summary" not in html  # asked, not blamed
    too_long = walk.page("profiel", {"q-soort": "3", "q-soort_anders": "z" * 21})
    assert "Gebruik hoogstens 20 tekens (nu 21)." in too_long.get_data(as_text=True)
    assert walk.page("profiel", {"q-soort": "3", "q-soort_anders": "Buurtwerk"}).status_code == 302
    assert draft_answers(walk.survey)["soort_anders"] == "Buurtwerk"


def test_back_saves_valid_answers_without_blocking(walk):
    walk.page("profiel", {"q-soort": "1"})
    response = walk.page("cijfers", {"q-medewerkers": "oops", "q-uren": "4"}, action="vorige")
    assert response.status_code == 302 and "pagina=profiel" in response.location
    answers = draft_answers(walk.survey)
    assert answers["uren"] == 4 and "medewerkers" not in answers


def test_a_cleared_answer_is_removed_from_the_draft(walk):
    walk.page("cijfers", {"q-medewerkers": "5", "q-uren": "4"})
    walk.page("cijfers", {"q-medewerkers": "5"})
    assert "uren" not in draft_answers(walk.survey)


def test_the_english_interface_shows_english_questions_and_errors(walk, client):
    client.get("/taal/en")
    html = walk.page("profiel", {}).get_data(as_text=True)
    assert "Type of service?" in html and "This question is required." in html
    assert "Page 1 of" in html
