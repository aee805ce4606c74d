import csv
import io
import json

import pytest
from sqlalchemy import select

from app.exports import services
from app.exports.formats import neutralise
from app.exports.schema import build_columns, pseudonym
from app.extensions import db
from app.surveys.models import Answer, Response
from app.surveys.storage import rows_to_answers
from tests.results import seed as seed_data


def database_rows(survey):
    """Expected export values per response id, straight from the answers table."""
    definition = survey.current_version.definition
    out = {}
    for response in db.session.scalars(select(Response).where(Response.survey_id == survey.id)):
        rows = db.session.execute(select(Answer).where(Answer.response_id == response.id)).scalars().all()
        out[response.id] = (response, rows_to_answers(definition, rows))
    return out


def expected_cell(name, answers):
    if name in answers:
        value = answers[name]
        return value
    for key in ("kanalen", "volgorde"):
        if name.startswith(key + "_") and name[len(key) + 1 :].isdigit():
            code = int(name[len(key) + 1 :])
            if key not in answers:
                return None
            if key == "kanalen":
                return 1 if code in answers[key] else 0
            return answers[key].index(code) + 1
    return None


def read_csv(data: bytes, delimiter=","):
    text = data.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=delimiter))


def as_text(value):
    if value is None:
        return ""
    return str(neutralise(value))


def test_schema_is_explicit_one_column_per_variable_and_option(seeded):
    names = [c.name for c in build_columns(seeded.survey)]
    assert names[:4] == ["response_id", "version", "submitted_on", "organisation"]
    assert "kanalen_1" in names and "kanalen_3" in names and "volgorde_2" in names
    assert "stelling_tijd" in names and "kanalen" not in names


def test_csv_reads_back_equal_to_the_database(seeded):
    data = b"".join(services.export_stream(seeded.survey, "csv"))
    rows = read_csv(data)
    expected = database_rows(seeded.survey)
    assert len(rows) == 40
    assert [int(r["response_id"]) for r in rows] == sorted(expected)  # id order reveals nothing
    for row in rows:
        response, answers = expected[int(row["response_id"])]
        assert row["organisation"] == pseudonym("testbevraging", response.organisation_id)
        for name, value in row.items():
            if name in ("response_id", "version", "submitted_on", "organisation"):
                continue
            assert value == as_text(expected_cell(name, answers)), name


def test_csv_for_belgian_excel_has_bom_and_semicolons(seeded):
    data = b"".join(services.export_stream(seeded.survey, "csv", bom=True, semicolon=True))
    assert data.startswith("\ufeff".encode())
    assert data.decode("utf-8-sig").splitlines()[0].startswith("response_id;version;")
    assert len(read_csv(data, ";")) == 40


def test_formula_injection_is_inert_in_csv(seeded):
    rows = read_csv(b"".join(services.export_stream(seeded.survey, "csv")))
    values = [r["opmerking"] for r in rows if r["opmerking"]]
    assert "'" + seed_data.INJECTION in values
    assert not any(v.startswith(("=", "+", "-", "@")) for r in rows for v in r.values())


def test_xlsx_reads_back_equal_to_the_database_and_is_inert(seeded, tmp_path):
    import openpyxl

    path = tmp_path / "x.xlsx"
    services.export_file(seeded.survey, "xlsx", str(path))
    sheet = openpyxl.load_workbook(path, read_only=True)["antwoorden"]
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    expected = database_rows(seeded.survey)
    assert len(body) == 40
    for values in body:
        row = dict(zip(header, values, strict=True))
        _, answers = expected[int(row["response_id"])]
        for name, value in row.items():
            if name in ("response_id", "version", "submitted_on", "organisation"):
                continue
            want = expected_cell(name, answers)
            want = neutralise(want) if isinstance(want, str) else want
            assert value == want, name
    cells = [v for values in body for v in values if isinstance(v, str)]
    assert "'" + seed_data.INJECTION in cells
    assert not any(v.startswith("=") for v in cells)


def test_sav_has_labels_values_and_missing_codes(seeded, tmp_path):
    import pyreadstat

    path = tmp_path / "x.sav"
    services.export_file(seeded.survey, "sav", str(path))
    frame, meta = pyreadstat.read_sav(str(path), user_missing=True)
    assert len(frame) == 40
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert labels["soort_dienst"] == "Soort dienst"
    assert labels["kanalen_1"] == "Kanalen: Facebook"
    assert meta.variable_value_labels["soort_dienst"] == {1.0: "CAW", 2.0: "OCMW", 3.0: "CLB"}
    assert meta.variable_value_labels["tevreden"][9.0] == "weet niet / n.v.t."
    assert meta.missing_ranges["tevreden"] == [{"lo": 9.0, "hi": 9.0}]
    expected = database_rows(seeded.survey)
    for _, row in frame.iterrows():
        _, answers = expected[int(row["response_id"])]
        assert row["soort_dienst"] == answers["soort_dienst"]
        assert row["tevreden"] == answers["tevreden"]
        assert row["aantal"] == answers["aantal"]


def test_dta_has_labels_and_values(seeded, tmp_path):
    import pyreadstat

    path = tmp_path / "x.dta"
    services.export_file(seeded.survey, "dta", str(path))
    frame, meta = pyreadstat.read_dta(str(path))
    assert len(frame) == 40
    assert dict(zip(meta.column_names, meta.column_labels, strict=True))["regio"] == "Regio"
    assert meta.variable_value_labels["regio"] == {1: "Antwerpen", 2: "Limburg"}
    assert sorted(frame["soort_dienst"].value_counts().items()) == [(1.0, 20), (2.0, 16), (3.0, 4)]


def test_json_export_streams_sparse_objects(seeded):
    data = json.loads(b"".join(services.export_stream(seeded.survey, "json")))
    assert data["survey"] == "testbevraging"
    assert [c["name"] for c in data["columns"]][:2] == ["response_id", "version"]
    assert len(data["responses"]) == 40
    first = data["responses"][0]
    assert "soort_dienst" in first and all(v is not None for v in first.values())


def test_anonymous_export_has_nothing_identifying(app, make_organisation):
    version = seed_data.seed(
        5, slug="anoniem", anonymity="anonymous", organisation_ids=[make_organisation().id]
    )
    rows = read_csv(b"".join(services.export_stream(version.survey, "csv")))
    assert set(rows[0]) >= {"response_id", "version", "soort_dienst"}
    assert "organisation" not in rows[0] and "submitted_on" not in rows[0]


def test_identified_export_names_the_organisation(app, make_organisation):
    org = make_organisation(name="CAW Testland")
    version = seed_data.seed(2, slug="benoemd", anonymity="identified", organisation_ids=[org.id])
    rows = read_csv(b"".join(services.export_stream(version.survey, "csv")))
    assert {r["organisation"] for r in rows} == {"CAW Testland"}


def test_pseudonyms_are_stable_per_survey_and_differ_between_surveys(app):
    assert pseudonym("a", 7) == pseudonym("a", 7)
    assert pseudonym("a", 7) != pseudonym("b", 7)
    assert pseudonym("a", 7).startswith("ORG-") and len(pseudonym("a", 7)) == 12


def test_codebook_lists_variables_conditions_versions_and_findings(seeded):
    rows = read_csv(b"".join(services.export_stream(seeded.survey, "codebook-csv")))
    by_name = {r["variable"]: r for r in rows}
    assert by_name["opmerking"]["condition"] == "tevreden gte 1"
    assert by_name["tevreden"]["finding"] == "f-tevreden"
    assert by_name["stelling_tijd"]["finding"] == "f-omgekeerd (reverse)"
    assert by_name["kanalen_1"]["finding"] == "f-fb"
    assert by_name["soort_dienst"]["codes"] == "1 = CAW; 2 = OCMW; 3 = CLB"
    assert by_name["tevreden"]["missing_codes"].startswith("9 = ")
    assert by_name["regio"]["versions"] == "1"
    assert by_name["regio"]["question_en"] == "Region"
    html = b"".join(services.export_stream(seeded.survey, "codebook-html")).decode()
    assert "<code>kanalen_1</code>" in html


def test_r_script_reads_the_csv_with_factors_and_labels(seeded):
    script = b"".join(services.export_stream(seeded.survey, "r")).decode()
    assert 'read.csv("testbevraging.csv"' in script
    assert (
        'factor(antwoorden[["soort_dienst"]], levels = c(1, 2, 3), labels = c("CAW", "OCMW", "CLB"))'
        in script
    )
    assert '"regio" = "Regio"' in script


def test_cli_exports_a_file(app, seeded, tmp_path):
    out = tmp_path / "cli.csv"
    result = app.test_cli_runner().invoke(
        args=["export", "testbevraging", "--format", "csv", "--out", str(out), "--bom", "--semicolon"]
    )
    assert result.exit_code == 0, result.output
    assert len(read_csv(out.read_bytes(), ";")) == 40
    bad = app.test_cli_runner().invoke(args=["export", "onbestaand", "--format", "csv", "--out", str(out)])
    assert bad.exit_code != 0


@pytest.mark.parametrize(
    "fmt", ["csv", "csv-excel", "xlsx", "sav", "dta", "json", "r", "codebook-csv", "codebook-html"]
)
def test_downloads_for_staff_only(seeded, client, make_user, fmt):
    from tests.helpers import login

    url = f"/resultaten/testbevraging/export/{fmt}"
    assert client.get(url).status_code in (302, 401)
    login(client, make_user(role="member"))
    assert client.get(url).status_code == 403
    client.post("/afmelden", data={"csrf_token": ""})
    staff = client.application.test_client()
    login(staff, make_user(role="researcher"))
    response = staff.get(url)
    assert response.status_code == 200
    assert "testbevraging" in response.headers["Content-Disposition"]
    assert len(response.get_data()) > 100
