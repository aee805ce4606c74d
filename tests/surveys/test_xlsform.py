"""Importing XLSForms built with openpyxl in tmp_path."""

import openpyxl
import pytest

from app.surveys.definitions import visible_questions
from app.surveys.loader import load_definition
from app.surveys.xlsform import (
    XLSFormError,
    dump_yaml,
    import_xlsform,
    xlsform_to_definition,
)

SURVEY_HEADER = [
    "type",
    "name",
    "label::Dutch (nl)",
    "label::English (en)",
    "hint::Dutch (nl)",
    "hint::English (en)",
    "required",
    "relevant",
    "constraint",
    "appearance",
]
CHOICES = [
    ("yn", "ja", "Ja", "Yes"),
    ("yn", "nee", "Nee", "No"),
    ("kanalen", "fb", "Facebook", "Facebook"),
    ("kanalen", "ig", "Instagram", "Instagram"),
    ("kanalen", "tt", "TikTok", "TikTok"),
    ("prio", "1", "Tijd", "Time"),
    ("prio", "2", "Geld", "Money"),
    ("prio", "5", "Mensen", "People"),
]


def workbook(path, survey, choices=CHOICES, settings=None, header=SURVEY_HEADER):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "survey"
    sheet.append(header)
    for row in survey:
        sheet.append(list(row))
    sheet = book.create_sheet("choices")
    sheet.append(["list_name", "name", "label::Dutch (nl)", "label::English (en)"])
    for row in choices:
        sheet.append(list(row))
    if settings is not None:
        sheet = book.create_sheet("settings")
        sheet.append(list(settings))
        sheet.append(list(settings.values()))
    book.save(path)
    return path


VALID = [
    ("start", "start"),
    ("note", "welkom", "Welkom", "Welcome"),
    (
        "select_one yn",
        "fb",
        "Facebook?",
        "Facebook?",
        "Kies",
        "Choose",
        "yes",
        None,
        None,
        "minimal",
    ),
    ("begin_group", "details", "Details", "Details", None, None, None, "${fb} = 'ja'"),
    (
        "select_multiple kanalen or_other",
        "kanalen",
        "Kanalen",
        "Channels",
        None,
        None,
        None,
        None,
        "count-selected(.) <= 2",
    ),
    (
        "integer",
        "aantal",
        "Aantal",
        "Number",
        None,
        None,
        "true()",
        "selected(${kanalen}, 'ig') or ${fb} != 'nee'",
        ". >= 0 and . <= 500",
    ),
    ("decimal", "uren", "Uren", "Hours", None, None, None, "${aantal} > 10", ".>=0.5 and .<=40"),
    (
        "text",
        "uitleg",
        "Uitleg",
        "Explanation",
        None,
        None,
        None,
        "not(${uren} = '') and ${aantal} >= 20",
        "string-length(.) <= 1000",
        "multiline",
    ),
    ("end_group",),
    (
        "date",
        "sinds",
        "Sinds",
        "Since",
        None,
        None,
        None,
        None,
        ". >= date('2000-01-01') and . < date('2031-01-01')",
    ),
    ("rank prio", "prio", "Prioriteiten", "Priorities"),
    ("text", "Naam-Dienst", "Naam", "Name", None, None, "no"),
]
SETTINGS = {
    "form_title": "Herbevraging",
    "form_id": "Herbevraging_2026",
    "intro::Dutch (nl)": "Hallo",
    "intro::English (en)": "Hello",
    "purpose": "Doel",
    "organiser::nl": "Wij",
    "organiser::en": "Us",
    "anonymity": "pseudonymous",
}


def test_valid_form_is_imported_and_loads(tmp_path):
    path = workbook(tmp_path / "form.xlsx", VALID, settings=SETTINGS)
    result = import_xlsform(path)
    data = result.definition
    assert data["slug"] == "herbevraging-2026"
    assert data["title"] == {"nl": "Herbevraging", "en": "Herbevraging"}
    assert data["purpose"] == {"nl": "Doel", "en": "Doel"}
    assert data["organiser"] == {"nl": "Wij", "en": "Us"}
    assert data["anonymity"] == "pseudonymous"
    assert [p["key"] for p in data["pages"]] == ["pagina_1", "details", "pagina_3"]

    surveys = tmp_path / "surveys"
    surveys.mkdir()
    (surveys / "herbevraging.yaml").write_text(dump_yaml(data, "imported from form.xlsx"))
    definition = load_definition(surveys / "herbevraging.yaml", root=surveys)
    assert (surveys / "herbevraging.yaml").read_text().startswith("# imported from form.xlsx\n")

    assert definition.page("pagina_1").intro.get("en") == "Welcome"
    fb = definition.question("fb")
    assert (fb.type, fb.display, fb.required, fb.codes) == (
        "single_choice",
        "dropdown",
        True,
        (1, 2),
    )
    assert fb.help.get("en") == "Choose"
    kanalen = definition.question("kanalen")
    assert (kanalen.type, kanalen.other, kanalen.max_choices) == ("multiple_choice", True, 2)
    aantal = definition.question("aantal")
    assert (aantal.integer, aantal.min, aantal.max, aantal.required) == (True, 0, 500, True)
    uren = definition.question("uren")
    assert (uren.integer, uren.min, uren.max) == (False, 0.5, 40)
    uitleg = definition.question("uitleg")
    assert (uitleg.type, uitleg.max_length) == ("long_text", 1000)
    sinds = definition.question("sinds")
    assert (sinds.min, sinds.max) == ("2000-01-01", "2030-12-31")
    prio = definition.question("prio")
    assert (prio.type, prio.codes) == ("ranking", (1, 2, 5))
    naam = definition.question("naam_dienst")
    assert (naam.type, naam.required, naam.max_length) == ("short_text", False, 200)

    # the translated relevant expressions behave like the originals
    def shown(answers):
        return [q.key for q in visible_questions(definition, answers)]

    assert "kanalen" not in shown({"fb": 2})  # details page hidden: fb = 'nee'
    assert shown({"fb": 1, "kanalen": [1], "aantal": 20, "uren": 3})[:5] == [
        "fb",
        "kanalen",
        "aantal",
        "uren",
        "uitleg",
    ]
    assert "uitleg" not in shown({"fb": 1, "aantal": 15, "uren": 3})  # aantal >= 20 fails
    assert "uren" not in shown({"fb": 1, "aantal": 5})

    assert "survey row 2: metadata type 'start' skipped" in result.warnings
    assert (
        "choices 'yn' (question 'fb'): names are not numbers; codes assigned in order: "
        "ja=1, nee=2" in result.warnings
    )
    assert "survey row 13: name 'Naam-Dienst' became key 'naam_dienst'" in result.warnings


def test_plain_label_goes_to_both_languages_and_defaults_are_filled(tmp_path):
    path = workbook(
        tmp_path / "simple.xlsx",
        [("select_one yn", "q1", "Vraag een?")],
        choices=[("yn", "1", "ja"), ("yn", "2", "nee")],
        header=["type", "name", "label"],
    )
    result = import_xlsform(path)
    data = result.definition
    assert data["slug"] == "simple"
    question = data["pages"][0]["questions"][0]
    assert question["text"] == {"nl": "Vraag een?", "en": "Vraag een?"}
    assert question["options"][1] == {"code": 2, "label": {"nl": "nee", "en": "nee"}}
    assert data["intro"] == {"nl": "TODO: intro", "en": "TODO: intro"}
    assert "settings: no 'anonymity' column; 'anonymous' was used" in result.warnings
    assert xlsform_to_definition(path) == data


INVALID = [
    ("calculate", "som", None, None, None, None, None, None, None, None),  # row 2
    ("geopoint", "waar", "Waar?", "Where?"),  # row 3
    ("image", "foto", "Foto", "Photo"),  # row 4
    ("begin_repeat", "kind", "Kind", "Child"),  # row 5
    ("select_one_from_file gemeenten.csv", "gemeente", "Gemeente", "Municipality"),  # row 6
    ("select_one yn", "fb", "Facebook?", "Facebook?"),  # row 7
    ("integer", "n", "N", "N", None, None, None, "${fb} + 1 > 2"),  # row 8
    ("integer", "m", "M", "M", None, None, None, None, "regex(., '[0-9]+')"),  # row 9
    ("select_one yn or_other", "x", "X", "X"),  # row 10
    ("text", "t", "T", "T", None, None, "${fb} = 'ja'"),  # row 11
    ("select_one onbekend", "y", "Y", "Y"),  # row 12
    ("integer", "z", "Z", "Z", None, None, None, "${later} = 1"),  # row 13
    ("note", "uitleg", "Uitleg", "Explanation"),  # row 14
    ("begin_group", "g", "G", "G"),  # row 15
    ("begin_group", "h", "H", "H"),  # row 16
    ("end_group",),  # row 17
    ("end_group",),  # row 18
    ("text", "later", "Later", "Later", None, None, None, "${fb} = 'misschien'"),  # row 19
    ("time", "uur", "Uur", "Time"),  # row 20
]


def test_unsupported_features_are_all_listed(tmp_path):
    path = workbook(tmp_path / "bad.xlsx", INVALID)
    with pytest.raises(XLSFormError) as exc:
        import_xlsform(path)
    found = [(p.sheet, p.row, p.message) for p in exc.value.problems]
    assert found == [
        ("survey", 2, "type 'calculate' is not supported (calculations)"),
        ("survey", 3, "type 'geopoint' is not supported (locations)"),
        ("survey", 4, "type 'image' is not supported (file uploads)"),
        ("survey", 5, "type 'begin_repeat' is not supported (repeat groups)"),
        (
            "survey",
            6,
            "type 'select_one_from_file gemeenten.csv' is not supported (choices from a file)",
        ),
        ("survey", 8, "relevant '${fb} + 1 > 2' is not supported: cannot read '+ 1 > 2'"),
        ("survey", 9, "constraint 'regex(., '[0-9]+')' is not supported: unexpected 'regex'"),
        (
            "survey",
            10,
            "or_other on select_one is not supported (add an 'other' choice and a text question instead)",
        ),
        (
            "survey",
            11,
            "required '${fb} = 'ja'' is not supported: only yes/no (true/false) is supported",
        ),
        ("survey", 12, "choice list 'onbekend' does not exist"),
        (
            "survey",
            13,
            "relevant '${later} = 1' is not supported: ${later} is not an earlier question",
        ),
        (
            "survey",
            14,
            "a note between questions is not supported; move it to the start of "
            "its group (it becomes the page intro)",
        ),
        (
            "survey",
            16,
            "nested groups are not supported (a group becomes a page; pages cannot be nested)",
        ),
        (
            "survey",
            19,
            "relevant '${fb} = 'misschien'' is not supported: 'misschien' is not a choice of ${fb}",
        ),
        ("survey", 20, "type 'time' is not supported (times)"),
    ]
    text = str(exc.value)
    assert text.startswith("the XLSForm cannot be imported:\n- survey row 2: type 'calculate'")


def test_refused_columns_and_sheets(tmp_path):
    path = tmp_path / "cols.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "survey"
    sheet.append(["type", "name", "label", "default", "choice_filter", "media::image", "read_only"])
    sheet.append(["select_one yn", "a", "A", "ja", "x = 1", None, "no"])
    sheet.append(["text", "b", "B ${a}", None, None, "foto.png", "yes"])
    sheet = book.create_sheet("choices")
    sheet.append(["list_name", "name", "label"])
    sheet.append(["yn", "ja", "ja"])
    sheet.append(["yn", "ja", "nee"])
    book.create_sheet("external_choices").append(["list_name", "name"])
    book["external_choices"].append(["x", "y"])
    book.save(path)
    with pytest.raises(XLSFormError) as exc:
        import_xlsform(path)
    assert [str(p) for p in exc.value.problems] == [
        "external_choices: the 'external_choices' sheet is not supported",
        "survey row 2: default values are not supported (column 'default')",
        "survey row 2: choice filters (cascading selects) are not supported (column 'choice_filter')",
        "choices row 2: list 'yn' has duplicate names ja",
        "survey row 3: media (image, audio, video) are not supported (column 'media::image')",
        "survey row 3: read-only fields are not supported (column 'read_only')",
        "survey row 3: 'label' inserts an answer (${...}); that is not supported",
    ]


def test_only_xlsx_is_read(tmp_path):
    path = tmp_path / "form.xls"
    path.write_bytes(b"not really")
    with pytest.raises(XLSFormError) as exc:
        import_xlsform(path)
    assert str(exc.value.problems[0]) == "file: only .xlsx workbooks are supported"
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip file")
    with pytest.raises(XLSFormError) as exc:
        import_xlsform(broken)
    assert exc.value.problems[0].message.startswith("cannot read the workbook")


def test_dump_yaml_quotes_ambiguous_scalars():
    text = dump_yaml({"slug": "x", "title": {"nl": "ja", "en": "yes"}, "n": "2000-01-01"})
    assert text == "slug: x\ntitle: {nl: ja, en: 'yes'}\nn: '2000-01-01'\n"
