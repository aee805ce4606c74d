"""`flask surveys validate | load | import-xlsform`."""

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.surveys.loader import load_definition
from app.surveys.models import Survey, SurveyVersion
from app.surveys.responses import submit

from survey_samples import SAMPLE  # isort: skip
from test_xlsform import INVALID, SETTINGS, VALID, workbook  # isort: skip

PROJECT_SURVEYS = Path(__file__).resolve().parents[2] / "surveys"
FINDINGS = """\
findings:
  - id: fb-gebruik
    section: "2.1.2"
    statement: {nl: "Facebook", en: "Facebook"}
  - id: fb-tijd
    section: "2.1.3"
    statement: {nl: "Tijd", en: "Time"}
"""


@pytest.fixture
def surveys_dir(tmp_path):
    directory = tmp_path / "surveys"
    directory.mkdir()
    (directory / "findings.yaml").write_text(FINDINGS)
    (directory / "sample.yaml").write_text(SAMPLE)
    return directory


@pytest.fixture
def cli(app):
    def run(*args, surveys=None):
        if surveys is not None:
            app.config["SURVEYS_DIR"] = str(surveys)
        return app.test_cli_runner().invoke(args=["surveys", *map(str, args)])

    return run


def test_validate_accepts_the_project_files(cli):
    result = cli("validate", surveys=PROJECT_SURVEYS)
    assert result.exit_code == 0, result.output
    assert "file(s) OK" in result.output


def test_validate_prints_file_line_and_problem_and_exits_1(cli, surveys_dir):
    broken = surveys_dir / "broken.yaml"
    broken.write_text(SAMPLE.replace("slug: test-survey", "slug: broken").replace("options:", "optons:", 1))
    result = cli("validate", broken, surveys_dir / "sample.yaml")
    assert result.exit_code == 1
    assert f"{broken}:" in result.output
    assert "unknown field 'optons' (did you mean 'options'?)" in result.output
    assert "problem(s) in 1 of 2 file(s)" in result.output


def test_validate_without_files_checks_the_whole_directory(cli, surveys_dir):
    (surveys_dir / "second.yaml").write_text(SAMPLE)  # the same slug twice
    result = cli("validate", surveys=surveys_dir)
    assert result.exit_code == 1
    assert "slug 'test-survey' is already used by" in result.output


def test_load_creates_then_reports_unchanged_updated_and_new_version(cli, surveys_dir, app):
    first = cli("load", surveys=surveys_dir)
    assert first.exit_code == 0, first.output
    assert "findings catalogue: 2 finding(s)" in first.output
    assert "test-survey: created (version 1" in first.output
    assert "test-survey: unchanged (version 1" in cli("load").output
    sample = surveys_dir / "sample.yaml"
    sample.write_text(SAMPLE.replace("{nl: Slot, en: End}", "{nl: Einde, en: End}"))
    assert "test-survey: updated (version 1" in cli("load").output  # no responses yet: in place
    survey = db.session.scalar(select(Survey).where(Survey.slug == "test-survey"))
    submit(survey.current_version, {"gebruikt_facebook": 1})
    db.session.commit()
    sample.write_text(SAMPLE.replace("{nl: Slot, en: End}", "{nl: Afsluiting, en: End}"))
    assert "test-survey: new-version (version 2" in cli("load").output
    assert db.session.scalar(select(func.count()).select_from(SurveyVersion)) == 2


def test_load_refuses_everything_when_one_file_is_invalid(cli, surveys_dir):
    other = SAMPLE.replace("slug: test-survey", "slug: other")
    (surveys_dir / "other.yaml").write_text(other.replace("type: likert", "type: likertt"))
    result = cli("load", surveys=surveys_dir)
    assert result.exit_code == 1
    assert "other.yaml:" in result.output and "nothing loaded" in result.output
    assert db.session.scalar(select(func.count()).select_from(Survey)) == 0


def test_load_takes_the_project_surveys(cli, tmp_path):
    copy = tmp_path / "surveys"
    shutil.copytree(PROJECT_SURVEYS, copy)
    result = cli("load", surveys=copy)
    assert result.exit_code == 0, result.output
    assert "herbevraging-2026: created" in result.output


def test_import_xlsform_writes_yaml_that_validates(cli, tmp_path):
    source = workbook(tmp_path / "form.xlsx", VALID, settings=SETTINGS)
    out = tmp_path / "surveys" / "uit-xlsform.yaml"
    result = cli("import-xlsform", source, "--out", out)
    assert result.exit_code == 0, result.output
    assert out.exists() and "wrote" in result.output
    definition = load_definition(out, require_en=False)
    assert definition.slug == "herbevraging-2026"
    assert {q.type for q in definition.questions} >= {"single_choice", "multiple_choice", "ranking"}
    assert cli("import-xlsform", source, "--out", out).exit_code == 1  # no silent overwrite


def test_import_xlsform_lists_every_unsupported_feature(cli, tmp_path):
    source = workbook(tmp_path / "bad.xlsx", INVALID)
    out = tmp_path / "bad.yaml"
    result = cli("import-xlsform", source, "--out", out)
    assert result.exit_code == 1
    assert not out.exists()
    problems = [line for line in result.output.splitlines() if line.startswith(f"{source}:")]
    assert len(problems) == 15  # every one, not just the first
    assert "survey row 3: type 'geopoint' is not supported (locations)" in result.output
    assert "survey row 20: type 'time' is not supported (times)" in result.output
    assert "15 unsupported feature(s)" in result.output
