"""A response's answers as one export row: `responses.export_row`, written with the response.

`answers` stays the source of truth (results aggregate it). `export_row` is a copy in the column
layout of the response's own version, so an export reads one column of one table instead of ~100
answer rows per response:

- one cell per variable (matrix rows, `<key>_other` included), one per option for multiple choice
  (`1` chosen, `0` not, empty when the question was not answered) and ranking (the rank), in the
  order of `definition.variables()` - the layout of `app.exports.schema.build_columns` for a survey
  with this one version;
- cells separated by `SEP` (the unit separator, a control character the respondent flow strips);
- numbers as the CSV export writes them (`3`, `12.5`); text as a ready CSV cell: formula
  neutralised (`'` before `= + - @`, tab, CR) and quoted when it holds `, ; "` or a line break, so
  one string replace makes a CSV line for either delimiter.

NULL means "no copy": readers then pivot the answers themselves. `encode` gives NULL for the rare
response it cannot encode unambiguously (a text holding `SEP`, or one that already starts with `'`
followed by a formula character). Anything that changes a response's answers must rewrite or NULL
its `export_row` (today only submits and the demo generator write answers; deleting a response
deletes both).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

SEP = "\x1f"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_QUOTE_IF = (",", ";", '"', "\r", "\n")
_SINGLE_TYPES = frozenset({"single_choice", "likert", "number"})


@dataclass
class Layout:
    """The cells of one version: names and kinds (single, text, multi, rank) in order, plus lookups."""

    names: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    single: dict[str, int] = field(default_factory=dict)  # single choice, likert, number, text
    options: dict[str, dict[int, int]] = field(default_factory=dict)  # multiple choice, ranking
    multi: dict[str, list[int]] = field(default_factory=dict)

    @property
    def width(self) -> int:
        return len(self.names)

    def _add(self, name: str, kind: str) -> int:
        self.names.append(name)
        self.kinds.append(kind)
        return len(self.names) - 1


def layout_of(definition) -> Layout:
    layout = Layout()
    for var in definition.variables():
        if var.type in ("multiple_choice", "ranking"):
            kind = "multi" if var.type == "multiple_choice" else "rank"
            codes = layout.options.setdefault(var.name, {})
            for option in var.options:
                codes[option.code] = layout._add(f"{var.name}_{option.code}", kind)
            if kind == "multi":
                layout.multi[var.name] = list(codes.values())
        else:
            layout.single[var.name] = layout._add(var.name, "single" if var.type in _SINGLE_TYPES else "text")
    return layout


_LAYOUTS: dict[tuple[int, str], Layout] = {}


def version_layout(version) -> Layout:
    """The layout of a `SurveyVersion` (cached: a version's definition never changes)."""
    key = (version.id, version.fingerprint)
    layout = _LAYOUTS.get(key)
    if layout is None:
        if len(_LAYOUTS) > 256:
            _LAYOUTS.clear()
        layout = _LAYOUTS[key] = layout_of(version.definition)
    return layout


def number_cell(num) -> str:
    if num is None:
        return ""
    num = float(num)
    return str(int(num)) if num.is_integer() else repr(num)


def text_cell(text: str) -> str | None:
    """The CSV cell of a text answer; None when it cannot be stored unambiguously."""
    if SEP in text:
        return None
    if text.startswith(FORMULA_START):
        text = "'" + text
    elif text.startswith("'") and text[1:].startswith(FORMULA_START):
        return None  # would read back as a neutralised formula
    if any(c in text for c in _QUOTE_IF):
        return '"' + text.replace('"', '""') + '"'
    return text


def text_value(cell: str) -> str:
    """The answer back from a text cell (the inverse of `text_cell`)."""
    if cell.startswith('"'):
        cell = cell[1:-1].replace('""', '"')
    if cell.startswith("'") and cell[1:].startswith(FORMULA_START):
        return cell[1:]
    return cell


def encode(layout: Layout, rows: Iterable) -> str | None:
    """The export row of one response from its answer rows (variable, item, num, text)."""
    cells = [""] * layout.width
    answered = []
    single, options, multi = layout.single, layout.options, layout.multi
    for variable, item, num, text in rows:
        index = single.get(variable)
        if index is not None:
            if text is not None:
                cell = text_cell(text)
                if cell is None:
                    return None
                cells[index] = cell
            else:
                cells[index] = number_cell(num)
            continue
        codes = options.get(variable)
        if codes is None or item not in codes:
            continue  # not in this version: the export would not show it either
        if variable in multi:
            cells[codes[item]] = "1"
            answered.append(variable)
        else:
            cells[codes[item]] = number_cell(num)
    for variable in answered:
        for index in multi[variable]:
            if not cells[index]:
                cells[index] = "0"
    return SEP.join(cells)


def encode_dict_rows(version, rows: list[dict]) -> str | None:
    """`encode` over the row dicts of `app.surveys.storage.answers_to_rows`."""
    return encode(version_layout(version), ((r["variable"], r["item"], r["num"], r["text"]) for r in rows))


def backfill(connection) -> int:
    """(Re)write `export_row` of every response from its answers; returns the count.

    Used by the migration that added the column; runs on a plain SQLAlchemy connection.
    """
    import json

    from sqlalchemy import text

    from app.surveys.definitions import SurveyDefinition

    versions = connection.execute(text("SELECT id, definition_json FROM survey_versions")).all()
    done = 0
    for version_id, definition_json in versions:
        layout = layout_of(SurveyDefinition.from_dict(json.loads(definition_json)))
        last = 0
        while True:
            ids = (
                connection.execute(
                    text(
                        "SELECT id FROM responses WHERE version_id = :v AND id > :last ORDER BY id LIMIT 2000"
                    ),
                    {"v": version_id, "last": last},
                )
                .scalars()
                .all()
            )
            if not ids:
                break
            rows: dict[int, list] = {rid: [] for rid in ids}
            for rid, variable, item, num, txt in connection.execute(
                text(
                    "SELECT response_id, variable, item, num, text FROM answers "
                    "WHERE response_id >= :first AND response_id <= :last ORDER BY response_id"
                ),
                {"first": ids[0], "last": ids[-1]},
            ):
                if rid in rows:
                    rows[rid].append((variable, item, num, txt))
            connection.execute(
                text("UPDATE responses SET export_row = :row WHERE id = :id"),
                [{"id": rid, "row": encode(layout, answer_rows)} for rid, answer_rows in rows.items()],
            )
            done += len(ids)
            last = ids[-1]
    return done
