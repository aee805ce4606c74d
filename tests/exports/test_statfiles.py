"""The streaming SPSS and Stata writers (app/exports/statfiles.py), read back with pyreadstat:
names, labels, value labels, missing codes, types and every text as it was answered (UTF-8, quotes,
empty, over 255 bytes (SPSS segments), over 2045 bytes (Stata strL), over SPSS's 32767 bytes)."""

import pyreadstat
import pytest
from sqlalchemy import update

from app.exports import services
from app.exports.schema import build_columns
from app.extensions import db
from app.surveys.loader import load_definition_text
from app.surveys.models import Response
from app.surveys.responses import submit
from app.surveys.versions import sync_definition
from tests.results import seed as seed_data

TEXTS = [
    "",
    'zegt "ja", of; niet',
    "=1+1",
    "gewoon tekst met é en 😀",
    "a" * 255,
    "a" * 256,
    "b" * 252 + "ééé",  # a two-byte character across the first SPSS segment boundary
    "é" * 200,  # 400 bytes
    "x" * 2045,
    "😀" * 700,  # 2800 bytes: a Stata strL
    "lang " * 8000,  # 40,000 bytes: cut to 32,767 in SPSS
    "regel 1\nregel 2\r\n\ttab",
]


def long_texts_survey(anonymity: str):
    text = seed_data.SURVEY.replace(
        "        type: long_text\n", "        type: long_text\n        max_length: 100000\n"
    ).format(slug="lang", anonymity=anonymity)
    version, _ = sync_definition(load_definition_text(text, "surveys/lang.yaml", seed_data.catalogue()))
    return version


def submit_texts(version, org_id):
    """Response i has aantal = i (response ids are random)."""
    for i, text in enumerate(TEXTS):
        answers = {"soort_dienst": 1 + i % 3, "tevreden": 9 if i % 4 == 0 else 2, "aantal": i}
        if text:
            answers["opmerking"] = text
        answers["kanalen"] = [1] if i % 2 else [1, 2]
        submit(version, answers, organisation_id=org_id)
    db.session.commit()


def sav_text(text: str) -> str:
    raw = text.encode("utf-8")[:32767]
    return raw.decode("utf-8", "ignore").rstrip(" ")  # blanks pad SPSS strings


@pytest.mark.parametrize("anonymity", ["anonymous", "pseudonymous", "identified"])
@pytest.mark.parametrize("export_rows", [True, False])
def test_sav_and_dta_read_back_every_text_label_and_code(
    app, make_organisation, tmp_path, anonymity, export_rows
):
    version = long_texts_survey(anonymity)
    submit_texts(version, make_organisation().id)
    if not export_rows:  # the pivot from the answers
        db.session.execute(update(Response).values(export_row=None))
        db.session.commit()
    survey = version.survey
    columns = build_columns(survey)
    for fmt in ("sav", "dta"):
        path = str(tmp_path / f"x.{fmt}")
        services.export_file(survey, fmt, path)
        if fmt == "sav":
            frame, meta = pyreadstat.read_sav(path, user_missing=True)
        else:
            frame, meta = pyreadstat.read_dta(path)
        assert len(frame) == len(TEXTS)
        names = [c.name for c in columns]
        assert meta.column_names == names
        assert meta.column_labels == [c.label for c in columns]
        types = meta.readstat_variable_types
        for col in columns:
            if col.kind == "str":
                assert types[col.name] == "string"
            else:
                assert types[col.name] in ("double", "int32")
        assert meta.variable_value_labels["soort_dienst"] == {1: "CAW", 2: "OCMW", 3: "CLB"}
        assert meta.variable_value_labels["kanalen_1"] == {0: "niet gekozen", 1: "gekozen"}
        assert meta.variable_value_labels["tevreden"][9] == "weet niet / n.v.t."
        if fmt == "sav":
            assert meta.missing_ranges == {"tevreden": [{"lo": 9.0, "hi": 9.0}]}
            assert meta.variable_measure["aantal"] == "scale"
            assert meta.variable_measure["soort_dienst"] == "nominal"
        assert ("submitted_on" in names) == (anonymity != "anonymous")
        for _, row in frame.iterrows():
            i = int(row["aantal"])
            text = TEXTS[i]
            want = sav_text(text) if fmt == "sav" else text
            assert row["opmerking"] == want, (fmt, i)
            assert row["soort_dienst"] == 1 + i % 3
            assert row["tevreden"] == (9 if i % 4 == 0 else 2)
            assert row["response_id"] > 0
            assert row["kanalen_1"] == 1
            assert row["kanalen_2"] == (0 if i % 2 else 1)
            assert row["kanalen_3"] == 0
            assert row["regio"] != row["regio"]  # not answered: missing (NaN)
            assert row["version"] == version.number
            if anonymity != "anonymous":
                assert row["organisation"].startswith("ORG-") == (anonymity == "pseudonymous")
                assert len(row["submitted_on"]) == 10


def test_an_empty_survey_writes_valid_files(app, tmp_path):
    version = long_texts_survey("pseudonymous")
    for fmt in ("sav", "dta"):
        path = str(tmp_path / f"x.{fmt}")
        services.export_file(version.survey, fmt, path)
        frame, meta = getattr(pyreadstat, f"read_{fmt}")(path)
        assert len(frame) == 0
        assert meta.column_names[:2] == ["response_id", "version"]
