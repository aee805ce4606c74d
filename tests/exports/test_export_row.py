"""responses.export_row (app/surveys/wide.py) always equals the answers, and exports read from it
give what a pivot of the answers gives (the path taken for a response without an export row)."""

import csv
import io
import json

import pyreadstat
import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from app.exports import services
from app.extensions import db
from app.privacy.services import purge
from app.results.demo import generate_responses
from app.surveys.loader import load_definition_text
from app.surveys.models import Answer, Response
from app.surveys.responses import submit
from app.surveys.versions import sync_definition
from app.surveys.wide import SEP, backfill, encode, text_value, version_layout
from tests.results import seed as seed_data


def assert_export_rows_equal_answers(survey):
    responses = db.session.scalars(select(Response).where(Response.survey_id == survey.id)).all()
    assert responses
    for response in responses:
        rows = db.session.execute(
            select(Answer.variable, Answer.item, Answer.num, Answer.text).where(
                Answer.response_id == response.id
            )
        ).all()
        assert response.export_row == encode(version_layout(response.version), rows)


def exports(survey, tmp_path) -> dict:
    """Every format, read back into comparable values."""
    out = {
        "csv": list(csv.reader(io.StringIO(b"".join(services.export_stream(survey, "csv")).decode()))),
        "csv-excel": list(
            csv.reader(
                io.StringIO(b"".join(services.export_stream(survey, "csv-excel")).decode("utf-8-sig")),
                delimiter=";",
            )
        ),
        "json": json.loads(b"".join(services.export_stream(survey, "json"))),
    }
    services.export_file(survey, "xlsx", str(tmp_path / "x.xlsx"))
    sheet = load_workbook(tmp_path / "x.xlsx", read_only=True)["antwoorden"]
    out["xlsx"] = [list(r) for r in sheet.iter_rows(values_only=True)]
    for fmt in ("sav", "dta"):
        services.export_file(survey, fmt, str(tmp_path / f"x.{fmt}"))
        frame, meta = getattr(pyreadstat, f"read_{fmt}")(str(tmp_path / f"x.{fmt}"))
        out[fmt] = (frame.astype(object).where(frame.notna(), None).values.tolist(), meta.column_labels)
    return out


def assert_same_as_pivot(survey, tmp_path):
    """Exports with the export rows equal exports of the same data with every export row NULL."""
    fast = exports(survey, tmp_path)
    db.session.execute(update(Response).where(Response.survey_id == survey.id).values(export_row=None))
    db.session.commit()
    slow = exports(survey, tmp_path)
    for fmt in fast:
        assert fast[fmt] == slow[fmt], fmt


def test_submits_write_the_export_row_and_exports_equal_the_pivot(app, make_organisation, tmp_path):
    version = seed_data.seed(40, organisation_ids=[make_organisation().id])
    assert_export_rows_equal_answers(version.survey)
    row = db.session.scalars(
        select(Response.export_row).where(Response.export_row.contains("Opmerking 1"))
    ).one()
    assert "Opmerking 1" in row.split(SEP)
    assert_same_as_pivot(version.survey, tmp_path)


@pytest.mark.parametrize(
    "text",
    [
        'a, "quoted"; b\r\nnext line',
        "=1+1",
        "-5",
        "@SUM(A1)",
        "\tTab",
        "'=already quoted",  # ambiguous: no export row, pivoted from the answers
        "holds a \x1f separator",  # only other paths than the flow can store it: no export row
        "gewoon tekst met é en 😀",
    ],
)
def test_awkward_texts_read_back_equal(app, tmp_path, text):
    version = seed_data.seed(3)
    submit(version, {"soort_dienst": 1, "tevreden": 2, "opmerking": text})
    db.session.commit()
    row = db.session.scalars(
        select(Response.export_row).join(Answer, Answer.response_id == Response.id).where(Answer.text == text)
    ).one()
    if row is not None:
        cells = row.split(SEP)
        index = version_layout(version).single["opmerking"]
        assert text_value(cells[index]) == text
    else:
        assert text.startswith("'") or SEP in text
    assert_export_rows_equal_answers(version.survey)
    rows = list(csv.reader(io.StringIO(b"".join(services.export_stream(version.survey, "csv")).decode())))
    header = rows[0]
    values = [r[header.index("opmerking")] for r in rows[1:]]
    expected = "'" + text if text.startswith(("=", "+", "-", "@", "\t")) else text
    assert expected in values
    assert_same_as_pivot(version.survey, tmp_path)


def test_versions_merge_by_key_with_added_options_and_dropped_questions(app, make_organisation, tmp_path):
    org = make_organisation().id
    first = seed_data.seed(12, organisation_ids=[org])
    changed = (
        seed_data.SURVEY.replace(
            "          - {{code: 3, label: {{nl: TikTok, en: TikTok}}}}\n",
            "          - {{code: 3, label: {{nl: TikTok, en: TikTok}}}}\n"
            "          - {{code: 4, label: {{nl: Mastodon, en: Mastodon}}}}\n",
        )
        .replace(
            "      - key: regio\n        type: single_choice\n        text: {{nl: Regio, en: Region}}\n"
            "        options:\n          - {{code: 1, label: {{nl: Antwerpen, en: Antwerp}}}}\n"
            "          - {{code: 2, label: {{nl: Limburg, en: Limburg}}}}\n",
            "      - key: nieuw\n        type: short_text\n        text: {{nl: Nieuw, en: New}}\n",
        )
        .format(slug="testbevraging", anonymity="pseudonymous")
    )
    second, _ = sync_definition(
        load_definition_text(changed, "surveys/testbevraging.yaml", seed_data.catalogue())
    )
    assert second.id != first.id
    for i in range(6):
        submit(
            second,
            {"soort_dienst": 2, "kanalen": [4] if i % 2 else [1, 4], "nieuw": f"n{i}"},
            organisation_id=org,
        )
    submit(second, {"soort_dienst": 3}, organisation_id=org)
    db.session.commit()
    survey = second.survey
    assert_export_rows_equal_answers(survey)
    rows = list(csv.DictReader(io.StringIO(b"".join(services.export_stream(survey, "csv")).decode())))
    old = [r for r in rows if r["version"] == str(first.number)]
    new = [r for r in rows if r["version"] == str(second.number)]
    assert len(old) == 12 and len(new) == 7
    # an option the old version did not offer: 0 where the question was answered, else empty
    assert {r["kanalen_4"] for r in old if r["kanalen_1"]} == {"0"}
    assert {r["kanalen_4"] for r in old if not r["kanalen_1"]} <= {""}
    assert {r["regio"] for r in new} == {""} and {r["nieuw"] for r in old} == {""}
    assert {r["kanalen_4"] for r in new if r["soort_dienst"] == "2"} == {"1"}
    assert_same_as_pivot(survey, tmp_path)


def test_demo_generation_writes_export_rows(app, tmp_path):
    version = seed_data.seed(0)
    generate_responses(version, 60, seed=3)
    db.session.commit()
    assert_export_rows_equal_answers(version.survey)
    assert_same_as_pivot(version.survey, tmp_path)


def test_purge_and_backfill_keep_export_rows_equal(app, make_organisation, tmp_path):
    version = seed_data.seed(10, organisation_ids=[make_organisation().id])
    purge(0)
    db.session.commit()
    assert_export_rows_equal_answers(version.survey)
    before = db.session.execute(select(Response.id, Response.export_row)).all()
    db.session.execute(update(Response).values(export_row=None))
    assert backfill(db.session.connection()) == 10
    db.session.commit()
    assert sorted(db.session.execute(select(Response.id, Response.export_row)).all()) == sorted(before)


def test_deleting_a_response_deletes_its_export_row(app, tmp_path):
    version = seed_data.seed(4)
    victim = db.session.scalars(select(Response.id)).first()
    db.session.delete(db.session.get(Response, victim))
    db.session.commit()
    rows = list(csv.reader(io.StringIO(b"".join(services.export_stream(version.survey, "csv")).decode())))
    assert len(rows) == 4 and str(victim) not in {r[0] for r in rows}
