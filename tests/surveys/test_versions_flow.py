"""Versions through the respondent flow: a changed file after responses makes a new version, old
responses and drafts keep theirs, and both line up by question key."""

from sqlalchemy import select

from app.extensions import db
from app.surveys.loader import load_definition_text
from app.surveys.models import Answer, Response
from app.surveys.storage import rows_to_answers
from app.surveys.versions import sync_definition

from flow_sample import END, FIGURES, complete, flow_survey_text  # isort: skip

# Version 2 drops "opmerking" and adds "nieuw" on the last page.
CHANGED = flow_survey_text("anonymous").replace(
    """      - key: opmerking
        type: long_text
        max_length: 50
        text: {nl: "Nog iets?", en: "Anything else?"}
""",
    """      - key: nieuw
        type: short_text
        text: {nl: "Nieuwe vraag", en: "New question"}
""",
)


def load_changed():
    version, outcome = sync_definition(load_definition_text(CHANGED, "surveys/test.yaml", require_en=False))
    db.session.commit()
    return version, outcome


def answers_of(response_id, definition) -> dict:
    rows = db.session.scalars(select(Answer).where(Answer.response_id == response_id)).all()
    return rows_to_answers(definition, rows)


def test_a_changed_file_after_responses_makes_a_new_version_and_results_line_up(
    app, flow_survey, make_invitation, walker
):
    survey = flow_survey("anonymous")
    _inv, token = make_invitation(survey)
    old_walk = walker(app.test_client(), f"/u/{token}")
    complete(old_walk)
    old_walk.submit()
    v1 = survey.current_version

    # A second organisation starts on version 1 before the file changes.
    _inv2, token2 = make_invitation(survey)
    in_progress = walker(app.test_client(), f"/u/{token2}")
    in_progress.start()
    in_progress.page("profiel", {"q-soort": "1", "q-kanalen": ["2"]})

    v2, outcome = load_changed()
    assert outcome == "new-version" and v2.number == 2 and v2.id != v1.id

    _inv3, token3 = make_invitation(survey)
    new_walk = walker(app.test_client(), f"/u/{token3}")
    new_walk.start()
    new_walk.page("profiel", {"q-soort": "2", "q-kanalen": ["2"]})
    new_walk.page("cijfers", FIGURES)
    slot = new_walk.get(pagina="slot").get_data(as_text=True)
    assert "Nieuwe vraag" in slot and "Nog iets?" not in slot
    new_walk.page("slot", {**{k: v for k, v in END.items() if k != "q-opmerking"}, "q-nieuw": "Ja"})
    new_walk.submit()

    # The draft started on version 1 is finished on version 1 (it still asks "Nog iets?").
    assert "Nog iets?" in in_progress.get(pagina="slot").get_data(as_text=True)
    in_progress.page("cijfers", FIGURES)
    in_progress.page("slot", END)
    in_progress.submit()

    db.session.expire_all()
    responses = db.session.scalars(select(Response)).all()
    by_version = sorted(r.version_id for r in responses)
    assert by_version == sorted([v1.id, v1.id, v2.id])
    old = next(r for r in responses if r.version_id == v1.id)
    new = next(r for r in responses if r.version_id == v2.id)
    # Lined up by key with the newest definition: shared keys in both, dropped ones empty.
    latest = v2.definition
    old_answers, new_answers = answers_of(old.id, latest), answers_of(new.id, latest)
    assert old_answers["medewerkers"] == new_answers["medewerkers"] == 12
    assert "opmerking" not in old_answers  # dropped in version 2: not part of its results
    assert "nieuw" not in old_answers and new_answers["nieuw"] == "Ja"
    assert answers_of(old.id, v1.definition)["opmerking"] == "Tot ziens"  # still stored


def test_an_unchanged_or_unanswered_definition_keeps_its_version(flow_survey):
    survey = flow_survey("anonymous")
    definition = load_definition_text(flow_survey_text("anonymous"), "surveys/test.yaml", require_en=False)
    assert sync_definition(definition)[1] == "unchanged"
    version, outcome = load_changed()
    assert outcome == "updated" and version.number == 1  # no responses yet: replaced in place
    assert len(survey.versions) == 1
