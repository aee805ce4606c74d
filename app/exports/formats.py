"""Export formats over (columns, rows): CSV, JSON and XLSX stream; SAV and DTA build a DataFrame.

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


def _dtype(col: Column) -> str:
    """Compact dtypes for pyreadstat: codes as float32 (exact for small integers, and pyreadstat
    writes a float column faster than a nullable integer one), numbers and ids as float64."""
    if col.kind == "str":
        return "object"
    if col.source in ("multi", "rank") or col.value_labels:
        return "float32"
    if col.name == "version":
        return "int16"
    return "float64"


def _frame(plan: Plan, chunks: Iterable[list[Item]]):
    """A DataFrame built column-wise, a chunk at a time, with compact dtypes (`_dtype`).

    A chunk's export rows are parsed by pandas' C CSV reader (separator SEP), not cell by cell.
    """
    import numpy as np
    import pandas as pd

    columns = plan.columns
    dtypes = [_dtype(c) for c in columns]
    parts: list[list] = [[] for _ in columns]
    data_types = {
        j: (object if dtypes[plan.meta + j] == "object" else np.dtype(dtypes[plan.meta + j]))
        for j in range(len(plan.data))
    }
    numeric = {j: [""] for j, t in data_types.items() if t is not object}
    text_columns = [j for j, t in data_types.items() if t is object]
    for items in chunks:
        meta = [[item[0] for item in items], [item[1] for item in items]]
        if plan.with_org:
            meta += [[item[2] or "" for item in items], [item[3] or "" for item in items]]
        for i, values in enumerate(meta):
            parts[i].append(np.array(values, dtype=object if dtypes[i] == "object" else dtypes[i]))
        if all(item[4] is not None for item in items):
            frame = pd.read_csv(
                io.StringIO("\n".join(item[4] for item in items) + "\n"),
                sep=SEP,
                header=None,
                names=range(len(plan.data)),
                quotechar='"',
                dtype=data_types,
                keep_default_na=False,
                na_values=numeric,
                engine="c",
            )
            for j in text_columns:  # back from CSV cells to the answers: undo the neutralisation
                series = frame[j]
                hit = series.str.match(r"'[=+\-@\t\r]")
                if hit.any():
                    frame.loc[hit, j] = series[hit].str[1:]
            for j in range(len(plan.data)):
                parts[plan.meta + j].append(frame[j].to_numpy())
            del frame
            continue
        rows = [item[5] if item[5] is not None else plan.decode(item[4]) for item in items]
        for j, values in enumerate(zip(*rows, strict=True)):
            kind = dtypes[plan.meta + j]
            if kind == "object":
                parts[plan.meta + j].append(
                    np.array(["" if v is None else str(v) for v in values], dtype=object)
                )
            else:
                parts[plan.meta + j].append(
                    np.array([np.nan if v is None else v for v in values], dtype=kind)
                )
    data = {}
    for i, col in enumerate(columns):
        kind = dtypes[i]
        data[col.name] = np.concatenate(parts[i]) if parts[i] else np.array([], dtype=kind)
        parts[i] = []  # free the pieces as soon as the column is whole
    return pd.DataFrame(data, copy=False)


def _value_labels(columns: list[Column]) -> dict[str, dict[int, str]]:
    return {c.name: {int(k): v for k, v in c.value_labels.items()} for c in columns if c.value_labels}


def write_sav(path: str, plan: Plan, chunks: Iterable[list[Item]]) -> None:
    """SPSS .sav with variable labels, value labels and "don't know" (9) as user-missing."""
    import pyreadstat

    columns = plan.columns
    frame = _frame(plan, chunks)
    pyreadstat.write_sav(
        frame,
        path,
        column_labels={c.name: _cut_bytes(c.label, 255) for c in columns},
        variable_value_labels=_value_labels(columns),
        missing_ranges={c.name: list(c.missing) for c in columns if c.missing},
        variable_measure={
            c.name: ("nominal" if c.value_labels else "scale" if c.kind == "num" else "nominal")
            for c in columns
        },
    )


def _cut_bytes(text: str, limit: int) -> str:
    """`text` cut to at most `limit` bytes of UTF-8 (file formats count bytes, not characters)."""
    return text.encode("utf-8")[:limit].decode("utf-8", "ignore")


STATA_NAME_MAX = 28  # 32 in Stata, but pyreadstat names value-label sets <variable><counter>


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
    """Stata .dta (version 15) with variable and value labels (9 = "don't know" keeps its label)."""
    import pyreadstat

    columns = plan.columns
    frame = _frame(plan, chunks)
    names = stata_names(columns)
    frame.columns = names
    renamed = dict(zip([c.name for c in columns], names, strict=True))
    pyreadstat.write_dta(
        frame,
        path,
        column_labels={renamed[c.name]: _cut_bytes(c.label, 80) for c in columns},
        variable_value_labels={
            renamed[k]: {int(c): v[:32000] for c, v in labels.items()}
            for k, labels in _value_labels(columns).items()
        },
    )
