from sqlalchemy import func, select

from app.extensions import db
from app.results.demo import INJECTION_TEXT, generate_responses
from app.surveys.definitions import prune_hidden
from app.surveys.loader import load_directory
from app.surveys.models import Answer, Response
from app.surveys.storage import rows_to_answers
from app.surveys.versions import sync_definition
from tests.results import seed as seed_data


def test_generated_responses_respect_conditions_and_types(app):
    version, _ = sync_definition(seed_data.definition())
    generate_responses(version, 200, seed=5)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Response)) == 200
    definition = version.definition
    for response_id in db.session.scalars(select(Response.id)).all()[:50]:
        rows = db.session.execute(select(Answer).where(Answer.response_id == response_id)).scalars().all()
        answers = rows_to_answers(definition, rows)
        assert prune_hidden(definition, answers) == answers  # nothing a hidden question would hold
        assert answers["soort_dienst"] in (1, 2, 3)
    injected = db.session.scalar(select(func.count()).where(Answer.text == INJECTION_TEXT))
    assert injected == 1


def test_the_real_surveys_load_and_generate(app):
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "surveys"
    _catalogue, definitions, _polls = load_directory(root)
    for definition in definitions:
        version, _ = sync_definition(definition)
        generate_responses(version, 30, seed=1)
    db.session.commit()
    counts = dict(
        db.session.execute(select(Response.survey_id, func.count()).group_by(Response.survey_id)).all()
    )
    assert set(counts.values()) == {30}


def test_demo_command_tops_up_and_prints_the_time(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "--responses", "20"])
    assert result.exit_code == 0, result.output
    assert "herbevraging-2026: 20 responses generated in" in result.output
    again = runner.invoke(args=["demo", "--responses", "20"])
    assert "herbevraging-2026: 0 responses generated" in again.output
