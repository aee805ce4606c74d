"""The codebook (HTML and CSV) and an R script that reads the CSV export with labels."""

from __future__ import annotations

import csv
import io

from app.exports.schema import Column, build_columns

CODEBOOK_HEADER = [
    "variable",
    "question_nl",
    "question_en",
    "type",
    "codes",
    "missing_codes",
    "condition",
    "versions",
    "finding",
]


def _condition(col: Column) -> str:
    if col.variable is None:
        return ""
    question = col.variable.question
    parts = []
    if question.show_if is not None:
        parts.append(_condition_text(question.show_if.to_dict()))
    return "; ".join(parts)


def _condition_text(data) -> str:
    if "all" in data:
        return "(" + " AND ".join(_condition_text(c) for c in data["all"]) + ")"
    if "any" in data:
        return "(" + " OR ".join(_condition_text(c) for c in data["any"]) + ")"
    if "not" in data:
        return "NOT " + _condition_text(data["not"])
    (operator,) = (k for k in data if k != "question")
    return f"{data['question']} {operator} {data[operator]}"


def _finding(col: Column) -> str:
    if col.variable is None:
        return ""
    link = col.variable.variable.test
    if col.source in ("multi", "rank"):
        link = next((o.test for o in col.variable.options if o.code == col.code), None)
    if link is None:
        return ""
    return f"{link.finding} (reverse)" if link.reverse else link.finding


def codebook_rows(survey) -> list[dict]:
    """One entry per export column."""
    rows = []
    for col in build_columns(survey):
        var = col.variable
        rows.append(
            {
                "variable": col.name,
                "question_nl": col.label,
                "question_en": col.label_en,
                "type": var.type if var is not None else col.kind,
                "codes": "; ".join(f"{k} = {v}" for k, v in col.value_labels.items()),
                "missing_codes": "; ".join(f"{m} = weet niet / n.v.t." for m in col.missing)
                or "leeg = geen antwoord",
                "condition": _condition(col),
                "versions": ", ".join(str(n) for n in var.versions) if var is not None else "",
                "finding": _finding(col),
            }
        )
    return rows


def codebook_csv(survey) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, CODEBOOK_HEADER, lineterminator="\r\n")
    writer.writeheader()
    for row in codebook_rows(survey):
        writer.writerow(
            {k: (("'" + v) if isinstance(v, str) and v[:1] in "=+-@" else v) for k, v in row.items()}
        )
    return buffer.getvalue().encode("utf-8")


def _r_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def r_script(survey, csv_name: str) -> str:
    """R code that reads `csv_name` (the plain CSV export) with factor levels and variable labels."""
    columns = build_columns(survey)
    lines = [
        f"# {survey.slug}: reads the CSV export with factor levels and variable labels.",
        "# Usage: source('this-file.R'); the data frame is `antwoorden`.",
        f'antwoorden <- read.csv({_r_string(csv_name)}, encoding = "UTF-8", stringsAsFactors = FALSE,',
        '                       na.strings = "", check.names = FALSE)',
        "# Text cells that began with = + - @ were prefixed with ' against spreadsheet formulas.",
    ]
    for col in columns:
        if col.value_labels and col.source != "multi":
            levels = ", ".join(str(k) for k in col.value_labels)
            labels = ", ".join(_r_string(v) for v in col.value_labels.values())
            lines.append(
                f"antwoorden[[{_r_string(col.name)}]] <- factor(antwoorden[[{_r_string(col.name)}]], "
                f"levels = c({levels}), labels = c({labels}))"
            )
    lines.append("variable_labels <- c(")
    lines.append(",\n".join(f"  {_r_string(c.name)} = {_r_string(c.label)}" for c in columns))
    lines.append(")")
    lines.append(
        'for (name in names(variable_labels)) attr(antwoorden[[name]], "label") <- variable_labels[[name]]'
    )
    return "\n".join(lines) + "\n"
