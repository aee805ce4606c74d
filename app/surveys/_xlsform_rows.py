"""Row-by-row conversion of an XLSForm workbook (internal; see `app.surveys.xlsform`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from app.surveys._fields import KEY_HINT, KEY_RE
from app.surveys._xlsform_logic import FALSE, Unsupported, relevant_condition
from app.surveys._xlsform_question import build_question

LANGUAGES = {
    "nl": "nl",
    "dutch": "nl",
    "nederlands": "nl",
    "vlaams": "nl",
    "en": "en",
    "english": "en",
    "engels": "en",
}
KNOWN_COLUMNS = {
    "type",
    "name",
    "label",
    "hint",
    "required",
    "relevant",
    "constraint",
    "appearance",
}
IGNORED_COLUMNS = {"constraint_message", "required_message", "guidance_hint", "list_name"}
REFUSED_COLUMNS = {
    "calculation": "calculations",
    "default": "default values",
    "choice_filter": "choice filters (cascading selects)",
    "repeat_count": "repeat groups",
    "read_only": "read-only fields",
    "trigger": "triggers",
    "parameters": "type parameters",
    "media": "media (image, audio, video)",
    "image": "media (image, audio, video)",
    "audio": "media (image, audio, video)",
    "video": "media (image, audio, video)",
    "big-image": "media (image, audio, video)",
}
METADATA_TYPES = {
    "start",
    "end",
    "today",
    "deviceid",
    "phonenumber",
    "username",
    "email",
    "subscriberid",
    "simserial",
    "audit",
    "start-geopoint",
}
UNSUPPORTED_TYPES = {
    "calculate": "calculations",
    "geopoint": "locations",
    "geotrace": "locations",
    "geoshape": "locations",
    "image": "file uploads",
    "audio": "file uploads",
    "video": "file uploads",
    "file": "file uploads",
    "background-audio": "audio recording",
    "barcode": "barcodes",
    "time": "times",
    "datetime": "date and time",
    "range": "range sliders",
    "acknowledge": "acknowledgements",
    "hidden": "hidden fields",
    "xml-external": "external data",
    "csv-external": "external data",
    "begin_repeat": "repeat groups",
    "end_repeat": "repeat groups",
    "select_one_from_file": "choices from a file",
    "select_multiple_from_file": "choices from a file",
    "select_one_external": "external choices",
    "trigger": "triggers",
}
TYPE_ALIASES = [
    (r"^select one from file\b", "select_one_from_file"),
    (r"^select multiple from file\b", "select_multiple_from_file"),
    (r"^select one\b", "select_one"),
    (r"^(select all that apply|select multiple)\b", "select_multiple"),
    (r"^begin group$", "begin_group"),
    (r"^end group$", "end_group"),
    (r"^begin repeat$", "begin_repeat"),
    (r"^end repeat$", "end_repeat"),
    (r"^string$", "text"),
    (r"^int$", "integer"),
]


@dataclass(frozen=True)
class XLSFormProblem:
    sheet: str
    row: int | None  # spreadsheet row number (the header is row 1)
    message: str

    def __str__(self) -> str:
        where = f"{self.sheet} row {self.row}" if self.row else self.sheet
        return f"{where}: {self.message}"


def _header(name: str) -> str:
    base, sep, lang = name.partition("::")
    base = re.sub(r"\s+", "_", base.strip().lower())
    if not sep:
        return base
    match = re.search(r"\(([A-Za-z]{2,3})(?:[-_][A-Za-z]+)?\)\s*$", lang)
    code = (match.group(1) if match else lang).strip().lower()
    return f"{base}::{LANGUAGES.get(code, code)}"


def _normalise(row: dict[str, Any]) -> dict[str, str]:
    return {_header(k): str(v).strip() for k, v in row.items() if v is not None and str(v).strip()}


class RowConverter:
    """Turns survey/choices/settings rows into our pages; records problems and warnings."""

    def __init__(self, book: dict[str, Any]):
        self.book = book
        self.problems: list[XLSFormProblem] = []
        self.warnings: list[str] = []
        self.questions: dict[str, dict[str, Any]] = {}  # XLSForm name -> info, in order
        self.keys: set[str] = set()
        self.pages: list[dict[str, Any]] = []
        self.page: dict[str, Any] | None = None
        self.group_row: int | None = None
        self.nested = 0
        self.lists = self._choice_lists()
        self._missing_language: dict[str, list[str]] = {"nl": [], "en": []}

    def problem(self, sheet: str, row: int | None, message: str) -> None:
        self.problems.append(XLSFormProblem(sheet, row, message))

    def settings(self) -> dict[str, str]:
        rows = self.book.get("settings") or [{}]
        return _normalise(rows[0])

    def text(self, row: dict[str, str], base: str, sheet: str, number: int):
        """{nl, en} from `base`, `base::nl`, `base::en` columns; None when all are empty."""
        plain = row.get(base)
        nl, en = row.get(f"{base}::nl") or plain, row.get(f"{base}::en") or plain
        if not nl and not en:
            return None
        if "${" in f"{nl}{en}":
            self.problem(sheet, number, f"'{base}' inserts an answer (${{...}}); that is not supported")
        for lang, value in (("nl", nl), ("en", en)):
            if not value:
                self._missing_language[lang].append(f"{sheet} row {number}")
        return {"nl": nl or en, "en": en or nl}

    # -- choices ------------------------------------------------------------------------------

    def _choice_lists(self) -> dict[str, list[tuple[str, dict | None, int]]]:
        lists: dict[str, list[tuple[str, dict | None, int]]] = {}
        for index, raw in enumerate(self.book.get("choices") or []):
            number, row = index + 2, _normalise(raw)
            if not row:
                continue
            list_name, name = row.get("list_name"), row.get("name")
            if not list_name or not name:
                self.problem("choices", number, "a choice needs list_name and name")
                continue
            for column in row:
                base = column.split("::")[0]
                if base in REFUSED_COLUMNS:
                    self.problem("choices", number, f"{REFUSED_COLUMNS[base]} are not supported")
            lists.setdefault(list_name, []).append((name, row, number))
        return lists

    def options(self, list_name: str, number: int, qname: str):
        """(options, name -> code) for a choice list, or None after recording a problem."""
        items = self.lists.get(list_name)
        if not items:
            self.problem("survey", number, f"choice list '{list_name}' does not exist")
            return None
        names = [name for name, _, _ in items]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            self.problem(
                "choices",
                items[0][2],
                f"list '{list_name}' has duplicate names {', '.join(duplicates)}",
            )
            return None
        numeric = all(re.fullmatch(r"[1-9]\d{0,5}", n) for n in names)
        codes = {n: int(n) if numeric else i for i, n in enumerate(names, 1)}
        if not numeric:
            mapping = ", ".join(f"{n}={c}" for n, c in codes.items())
            self.warnings.append(
                f"choices '{list_name}' (question '{qname}'): names are not "
                f"numbers; codes assigned in order: {mapping}"
            )
        options = []
        for name, row, choice_row in items:
            label = self.text(row, "label", "choices", choice_row)
            if label is None:
                self.problem("choices", choice_row, f"choice '{name}' of '{list_name}' has no label")
                return None
            options.append({"code": codes[name], "label": label})
        return options, codes

    # -- survey rows ----------------------------------------------------------------------------

    def convert(self) -> list[dict[str, Any]]:
        headers = [_header(h) for h in (self.book.get("survey_header") or [{}])[0]]
        for column in headers:
            base, _, lang = column.partition("::")
            if lang and lang not in ("nl", "en"):
                self.warnings.append(f"survey: column '{column}' ignored (only nl and en are used)")
            elif base in IGNORED_COLUMNS:
                self.warnings.append(f"survey: column '{base}' ignored")
            elif base not in KNOWN_COLUMNS and base not in REFUSED_COLUMNS:
                self.warnings.append(f"survey: unknown column '{column}' ignored")
        for sheet in ("external_choices", "entities", "osm"):
            if self.book.get(sheet):
                self.problem(sheet, None, f"the '{sheet}' sheet is not supported")
        for index, raw in enumerate(self.book.get("survey") or []):
            row = _normalise(raw)
            if row:
                self._row(row, index + 2)
        if self.group_row is not None:
            self.problem("survey", self.group_row, "begin_group without end_group")
        self._close_page()
        for lang, places in self._missing_language.items():
            if places:
                name = "Dutch" if lang == "nl" else "English"
                self.warnings.append(f"no {name} text in {', '.join(places)}; the other language was copied")
        return self.pages

    def _row(self, row: dict[str, str], number: int) -> None:
        raw_type = re.sub(r"\s+", " ", row.get("type", "").strip().lower())
        for pattern, replacement in TYPE_ALIASES:
            raw_type = re.sub(pattern, replacement, raw_type)
        parts = raw_type.split()
        if not parts:
            self.problem("survey", number, "row has no type")
            return
        base = parts[0]
        if self.nested:
            self.nested += base == "begin_group"
            self.nested -= base == "end_group"
            return
        for column, value in row.items():
            col = column.split("::")[0]
            if col in REFUSED_COLUMNS and not (col == "read_only" and value.lower() in FALSE):
                self.problem(
                    "survey",
                    number,
                    f"{REFUSED_COLUMNS[col]} are not supported (column '{column}')",
                )
        if base in METADATA_TYPES:
            self.warnings.append(f"survey row {number}: metadata type '{base}' skipped")
        elif base in UNSUPPORTED_TYPES:
            self.problem("survey", number, f"type '{raw_type}' is not supported ({UNSUPPORTED_TYPES[base]})")
        elif base == "begin_group":
            self._begin_group(row, number)
        elif base == "end_group":
            if self.group_row is None:
                self.problem("survey", number, "end_group without begin_group")
            else:
                self._close_page()
        elif base == "note":
            self._note(row, number)
        elif base in (
            "select_one",
            "select_multiple",
            "rank",
            "integer",
            "decimal",
            "text",
            "date",
        ):
            self._question(row, number, base, parts[1:])
        else:
            self.problem("survey", number, f"unknown type '{raw_type}'")

    def key(self, name: str | None, number: int) -> str | None:
        if not name:
            self.problem("survey", number, "row has no name")
            return None
        key = re.sub(r"[^a-z0-9_]", "_", name.lower())
        if not KEY_RE.fullmatch(key):
            self.problem("survey", number, f"name '{name}' cannot be used as a key ({KEY_HINT})")
            return None
        if key in self.keys:
            self.problem("survey", number, f"name '{name}' is used twice")
            return None
        if key != name:
            self.warnings.append(f"survey row {number}: name '{name}' became key '{key}'")
        self.keys.add(key)
        return key

    def _begin_group(self, row: dict[str, str], number: int) -> None:
        if self.group_row is not None:
            self.problem(
                "survey",
                number,
                "nested groups are not supported (a group becomes a page; pages cannot be nested)",
            )
            self.nested = 1
            return
        self._close_page()
        key = self.key(row.get("name"), number)
        title = self.text(row, "label", "survey", number)
        if title is None:
            self.warnings.append(f"survey row {number}: group without label; its name is the title")
            title = {"nl": row.get("name", "?"), "en": row.get("name", "?")}
        self.page = {"key": key or "?", "title": title, "questions": []}
        self.group_row = number
        if row.get("relevant"):
            self.show_if(self.page, row["relevant"], number)

    def claim(self, key: str) -> bool:
        """Reserve a generated variable name (e.g. `<key>_other`); False when taken."""
        if key in self.keys:
            return False
        self.keys.add(key)
        return True

    def _close_page(self) -> None:
        if self.page is not None:
            if self.page["questions"]:
                order = ("key", "title", "intro", "show_if", "questions")
                self.pages.append({k: self.page[k] for k in order if k in self.page})
            else:
                self.warnings.append(f"page '{self.page['key']}' has no questions and was left out")
        self.page, self.group_row = None, None

    def current_page(self) -> dict[str, Any]:
        if self.page is None:
            n = len(self.pages) + 1
            while f"pagina_{n}" in self.keys:
                n += 1
            self.keys.add(f"pagina_{n}")
            self.page = {
                "key": f"pagina_{n}",
                "title": {"nl": f"Pagina {n}", "en": f"Page {n}"},
                "questions": [],
            }
        return self.page

    def _note(self, row: dict[str, str], number: int) -> None:
        page = self.current_page()
        if row.get("relevant"):
            self.problem("survey", number, "a note with 'relevant' is not supported")
        elif page["questions"]:
            self.problem(
                "survey",
                number,
                "a note between questions is not supported; move it "
                "to the start of its group (it becomes the page intro)",
            )
        else:
            text = self.text(row, "label", "survey", number)
            if text is not None:
                old = page.get("intro")
                page["intro"] = (
                    text if old is None else {lang: f"{old[lang]}\n\n{text[lang]}" for lang in ("nl", "en")}
                )

    def show_if(self, target: dict[str, Any], expression: str, number: int) -> None:
        try:
            target["show_if"] = relevant_condition(expression, self.questions)
        except Unsupported as exc:
            self.problem("survey", number, f"relevant '{expression}' is not supported: {exc}")

    def _question(self, row: dict[str, str], number: int, base: str, args: list[str]) -> None:
        build_question(self, row, number, base, args)
