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


def _dtype(col: Column):
    """Compact polars dtypes: codes in nullable 1- or 2-byte integers (a validity bitmap, not a
    float per cell), numbers and the random id (up to 2**53) as Float64, text as String."""
    import polars as pl

    if col.kind == "str":
        return pl.String
    if col.source in ("multi", "rank") or col.value_labels or col.name == "version":
        biggest = max([*col.value_labels, len(col.variable.options) if col.variable else 0, 0])
        return pl.Int8 if biggest < 127 else pl.Int16
    return pl.Float64


NEUTRALISED = r"^'[=+\-@\t\r]"


def _frame(plan: Plan, chunks: Iterable[list[Item]]):
    """A polars DataFrame with compact dtypes (`_dtype`), one chunk of responses at a time.

    A chunk's export rows are parsed by polars' CSV reader (separator SEP) with a fixed schema.
    pyreadstat writes a polars frame 2-3x faster than a pandas one (a missing value is None, not a
    `pd.isna` call per cell), and nullable Int8 codes take ~1 byte per cell.
    """
    import polars as pl

    columns = plan.columns
    schema = pl.Schema([(c.name, _dtype(c)) for c in columns])
    data_schema = pl.Schema([(c.name, schema[c.name]) for c in plan.data])
    meta_names = [c.name for c in columns[: plan.meta]]
    texts = [c.name for c in plan.data if c.kind == "str"]
    parts = []
    for items in chunks:
        meta = [pl.Series(meta_names[0], [item[0] for item in items], dtype=pl.Float64)]
        meta.append(pl.Series(meta_names[1], [item[1] for item in items], dtype=schema[meta_names[1]]))
        if plan.with_org:
            meta.append(pl.Series(meta_names[2], [item[2] or "" for item in items], dtype=pl.String))
            meta.append(pl.Series(meta_names[3], [item[3] or "" for item in items], dtype=pl.String))
        data = None
        if plan.data and all(item[4] is not None for item in items):
            text = ("\n".join(item[4] for item in items) + "\n").encode("utf-8")
            try:
                data = pl.read_csv(text, has_header=False, separator=SEP, quote_char='"', schema=data_schema)
            except pl.exceptions.PolarsError:
                data = None  # e.g. text where a number is due (a variable whose type changed)
            if data is not None and texts:  # CSV cells back to answers: undo the neutralisation
                data = data.with_columns(
                    pl.when(pl.col(name).str.contains(NEUTRALISED))
                    .then(pl.col(name).str.slice(1))
                    .otherwise(pl.col(name))
                    .alias(name)
                    for name in texts
                )
        if data is None:
            rows = [item[5] if item[5] is not None else plan.decode(item[4]) for item in items]
            values = list(zip(*rows, strict=True)) if rows else [[] for _ in plan.data]
            data = pl.DataFrame(
                [
                    pl.Series(
                        c.name,
                        [_as(v, data_schema[c.name]) for v in vs],
                        dtype=data_schema[c.name],
                        strict=False,
                    )
                    for c, vs in zip(plan.data, values, strict=True)
                ],
                schema=data_schema,
            )
        if texts:  # no answer: "" (as before), not a missing string
            data = data.with_columns(pl.col(name).fill_null("") for name in texts)
        parts.append(pl.concat([pl.DataFrame(meta), data], how="horizontal"))
    frame = pl.concat(parts, rechunk=False) if parts else pl.DataFrame(schema=schema)
    return frame


def _as(value, dtype):
    import polars as pl

    if value is None:
        return None
    if dtype == pl.String:
        return str(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


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
    frame = frame.rename(dict(zip(frame.columns, names, strict=True)))
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
