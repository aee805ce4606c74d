"""Export formats over (columns, rows): CSV, JSON and XLSX stream; SAV and DTA build a DataFrame.

Text cells that a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage
return) get an apostrophe in front in CSV and XLSX.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator

from app.exports.schema import Column

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FLUSH_BYTES = 64 * 1024


def neutralise(value):
    """A text cell that cannot run as a formula; other values unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _text_indexes(columns: list[Column]) -> list[int]:
    return [i for i, c in enumerate(columns) if c.kind == "str"]


def csv_chunks(
    columns: list[Column], rows: Iterable[list], *, bom: bool = False, delimiter: str = ","
) -> Iterator[bytes]:
    """CSV in UTF-8 (optionally with a BOM and `;` for Belgian Excel), yielded in ~64 KB pieces."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    if bom:
        buffer.write("\ufeff")
    writer.writerow([c.name for c in columns])
    texts = _text_indexes(columns)
    for row in rows:
        for i in texts:
            value = row[i]
            if value is not None and value.startswith(FORMULA_START):
                row[i] = "'" + value
        writer.writerow(row)
        if buffer.tell() > FLUSH_BYTES:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


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


def write_xlsx(path: str, columns: list[Column], rows: Iterable[list]) -> None:
    """XLSX, streamed into the zip as rows come (`app.exports.xlsx`); sheet "variabelen" has the labels.

    The random response id is written as text: Excel keeps only 15 significant digits of a number.
    """
    from app.exports.xlsx import write_workbook

    texts = _text_indexes(columns)

    def inert_rows():
        yield [c.name for c in columns]
        for row in rows:
            for i in texts:
                value = row[i]
                if value is not None and value.startswith(FORMULA_START):
                    row[i] = "'" + value
            row[0] = str(row[0])
            yield row

    labels = [["variabele", "label", "label (en)"]]
    labels += [[c.name, neutralise(c.label), neutralise(c.label_en)] for c in columns]
    write_workbook(path, [("antwoorden", inert_rows(), {0, *texts}), ("variabelen", labels, {0, 1, 2})])


def _dtype(col: Column) -> str:
    """Compact dtypes: codes in nullable 1- or 2-byte integers, numbers as float64, text as object."""
    if col.kind == "str":
        return "object"
    if col.source in ("multi", "rank") or col.value_labels or col.name == "version":
        biggest = max([*col.value_labels, len(col.variable.options) if col.variable else 0, 0])
        return "Int8" if biggest < 127 else "Int16"
    return "float64"


def _frame(columns: list[Column], rows: Iterable[list]):
    """A DataFrame built column-wise, a batch of rows at a time, with compact dtypes (`_dtype`)."""
    import numpy as np
    import pandas as pd

    dtypes = [_dtype(c) for c in columns]
    parts: list[list] = [[] for _ in columns]
    batch: list[list] = []

    def flush():
        if not batch:
            return
        for i, values in enumerate(zip(*batch, strict=True)):
            kind = dtypes[i]
            if kind == "object":
                parts[i].extend("" if v is None else str(v) for v in values)
            elif kind == "float64":
                parts[i].append(np.array([np.nan if v is None else v for v in values], dtype=np.float64))
            else:
                mask = np.fromiter((v is None for v in values), dtype=bool, count=len(values))
                data = np.fromiter(
                    (0 if v is None else v for v in values), dtype=kind.lower(), count=len(values)
                )
                parts[i].append((data, mask))
        batch.clear()

    for row in rows:
        batch.append(row)
        if len(batch) >= 5_000:
            flush()
    flush()
    data = {}
    for i, col in enumerate(columns):
        kind = dtypes[i]
        if kind == "object":
            data[col.name] = pd.array(parts[i], dtype=object)
        elif kind == "float64":
            data[col.name] = np.concatenate(parts[i]) if parts[i] else np.array([], dtype=np.float64)
        else:
            values = (
                np.concatenate([p[0] for p in parts[i]]) if parts[i] else np.array([], dtype=kind.lower())
            )
            mask = np.concatenate([p[1] for p in parts[i]]) if parts[i] else np.array([], dtype=bool)
            data[col.name] = pd.arrays.IntegerArray(values, mask)
        parts[i] = []  # free the pieces as soon as the column is whole
    return pd.DataFrame(data, copy=False)


def _value_labels(columns: list[Column]) -> dict[str, dict[int, str]]:
    return {c.name: {int(k): v for k, v in c.value_labels.items()} for c in columns if c.value_labels}


def write_sav(path: str, columns: list[Column], rows: Iterable[list]) -> None:
    """SPSS .sav with variable labels, value labels and "don't know" (9) as user-missing."""
    import pyreadstat

    frame = _frame(columns, rows)
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


def write_dta(path: str, columns: list[Column], rows: Iterable[list]) -> None:
    """Stata .dta (version 15) with variable and value labels (9 = "don't know" keeps its label)."""
    import pyreadstat

    frame = _frame(columns, rows)
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
