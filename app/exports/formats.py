"""Export formats over (columns, rows), all streamed: CSV, JSON, XLSX, SAV and DTA.

Text cells that a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage
return) get an apostrophe in front in CSV and XLSX.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator

from app.exports.rows import Item, Plan, csv_text
from app.exports.schema import Column
from app.surveys.wide import SEP

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FLUSH_BYTES = 64 * 1024


def neutralise(value):
    """A text cell that cannot run as a formula; other values unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _text_indexes(columns: list[Column]) -> list[int]:
    return [i for i, c in enumerate(columns) if c.kind == "str"]


def _csv_values(values: list) -> list:
    return [neutralise(v) for v in values]


def csv_chunks(
    plan: Plan, chunks: Iterable[list[Item]], *, bom: bool = False, delimiter: str = ","
) -> Iterator[bytes]:
    """CSV in UTF-8 (optionally with a BOM and `;` for Belgian Excel), one piece per chunk.

    A response's export row is already CSV (neutralised, quoted for either delimiter): its line is
    the meta cells, the row and one replace of the separator per chunk. Cells are quoted whenever
    they hold `,` or `;`, whatever the delimiter (readers see the same values).
    """
    head = delimiter.join(csv_text(c.name) for c in plan.columns) + "\r\n"
    yield (("\ufeff" if bom else "") + head).encode("utf-8")
    orgs: dict[str | None, str] = {None: ""}
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for items in chunks:
        lines, out = [], []
        for rid, version, day, organisation, line, values in items:
            if line is None:  # no export row: the csv module, as before
                if lines:
                    out.append(("\r\n".join(lines) + "\r\n").replace(SEP, delimiter))
                    lines = []
                meta = [rid, version, day, organisation] if plan.with_org else [rid, version]
                writer.writerow(_csv_values(meta + values))
                out.append(buffer.getvalue())
                buffer.seek(0)
                buffer.truncate()
            elif plan.with_org:
                org = orgs.get(organisation)
                if org is None:
                    org = orgs[organisation] = csv_text(organisation.replace(SEP, " "))
                lines.append(f"{rid}{SEP}{version}{SEP}{day or ''}{SEP}{org}{SEP}{line}")
            else:
                lines.append(f"{rid}{SEP}{version}{SEP}{line}")
        if lines:
            out.append(("\r\n".join(lines) + "\r\n").replace(SEP, delimiter))
        yield "".join(out).encode("utf-8")


def json_chunks(survey_slug: str, columns: list[Column], rows: Iterable[list]) -> Iterator[bytes]:
    """`{"survey", "columns": [...], "responses": [{name: value}, ...]}`, streamed; a response lists
    only the columns it has a value for (an absent column means: no answer)."""
    head = {
        "survey": survey_slug,
        "columns": [
            {"name": c.name, "label": c.label, "label_en": c.label_en, "type": c.kind} for c in columns
        ],
    }
    yield (json.dumps(head, ensure_ascii=False)[:-1] + ', "responses": [').encode()
    names = [c.name for c in columns]
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    parts, size, first = [], 0, True
    for row in rows:
        text = dumps({k: v for k, v in zip(names, row, strict=True) if v is not None})
        parts.append(text if first else "," + text)
        first = False
        size += len(text)
        if size > FLUSH_BYTES:
            yield "".join(parts).encode()
            parts, size = [], 0
    parts.append("]}")
    yield "".join(parts).encode()


def write_xlsx(path: str, plan: Plan, chunks: Iterable[list[Item]]) -> None:
    """XLSX, streamed into the zip as rows come (`app.exports.xlsx`); sheet "variabelen" has the labels.

    The random response id is written as text: Excel keeps only 15 significant digits of a number.
    """
    from app.exports.xlsx import Cells, row_xml, rows_xml, write_workbook

    columns = plan.columns
    texts = set(_text_indexes(columns))
    data_texts = sorted({i - plan.meta for i in texts if i >= plan.meta} | plan.texty)

    def sheet():
        yield row_xml([c.name for c in columns], set(range(len(columns))))
        cells = Cells()
        for items in chunks:
            yield rows_xml(items, plan, data_texts, texts, cells)

    labels = [["variabele", "label", "label (en)"]]
    labels += [[c.name, neutralise(c.label), neutralise(c.label_en)] for c in columns]
    write_workbook(path, [("antwoorden", sheet(), None), ("variabelen", labels, {0, 1, 2})])


def write_sav(path: str, plan: Plan, chunks: Iterable[list[Item]]) -> None:
    """SPSS .sav with variable labels, value labels and "don't know" (9) as user-missing, written
    row by row (`app.exports.statfiles`)."""
    from app.exports import statfiles

    statfiles.write_sav(path, plan, chunks)


STATA_NAME_MAX = 28  # 32 in Stata; 28 kept so names stay those of earlier exports


def stata_names(columns: list[Column]) -> list[str]:
    """Column names cut to fit Stata, kept unique."""
    names, seen = [], set()
    for col in columns:
        name = col.name[:STATA_NAME_MAX]
        n = 1
        while name in seen:
            suffix = f"_{n}"
            name, n = col.name[: STATA_NAME_MAX - len(suffix)] + suffix, n + 1
        seen.add(name)
        names.append(name)
    return names


def write_dta(path: str, plan: Plan, chunks: Iterable[list[Item]]) -> None:
    """Stata .dta (format 118, Stata 14+) with variable and value labels (9 = "don't know" keeps
    its label), written row by row (`app.exports.statfiles`)."""
    from app.exports import statfiles

    statfiles.write_dta(path, plan, chunks, stata_names(plan.columns))
