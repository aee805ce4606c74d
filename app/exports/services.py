"""Exports as data first: `export_file` writes any format to a path, `export_stream` yields bytes.

The CLI and the download view only pick the format and move bytes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from flask import render_template
from sqlalchemy import select

from app.core.errors import DomainError
from app.exports import codebook, formats
from app.exports.rows import Plan, iter_items, iter_rows
from app.exports.schema import build_columns
from app.extensions import db
from app.surveys.models import Survey

log = logging.getLogger(__name__)

# format -> (file extension, mimetype, streams?)
FORMATS = {
    "csv": ("csv", "text/csv; charset=utf-8", True),
    "csv-excel": ("csv", "text/csv; charset=utf-8", True),
    "json": ("json", "application/json", True),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", False),
    "sav": ("sav", "application/x-spss-sav", False),
    "dta": ("dta", "application/x-stata-dta", False),
    "r": ("R", "text/plain; charset=utf-8", True),
    "codebook-csv": ("codebook.csv", "text/csv; charset=utf-8", True),
    "codebook-html": ("codebook.html", "text/html; charset=utf-8", True),
}


def get_survey(slug: str) -> Survey:
    survey = db.session.scalar(select(Survey).where(Survey.slug == slug))
    if survey is None or not survey.versions:
        raise DomainError(f"unknown survey {slug!r}")
    return survey


def filename(survey: Survey, fmt: str) -> str:
    return f"{survey.slug}.{FORMATS[fmt][0]}"


def export_stream(survey: Survey, fmt: str, *, bom: bool = False, semicolon: bool = False) -> Iterator[bytes]:
    """Bytes of a streaming format (csv, csv-excel, json, r, codebook-csv, codebook-html)."""
    if fmt in ("csv", "csv-excel"):
        plan = Plan(survey, build_columns(survey))
        excel = fmt == "csv-excel"
        yield from formats.csv_chunks(
            plan,
            iter_items(survey, plan),
            bom=bom or excel,
            delimiter=";" if semicolon or excel else ",",
        )
    elif fmt == "json":
        columns = build_columns(survey)
        yield from formats.json_chunks(survey.slug, columns, iter_rows(survey, columns))
    elif fmt == "r":
        yield codebook.r_script(survey, filename(survey, "csv")).encode("utf-8")
    elif fmt == "codebook-csv":
        yield codebook.codebook_csv(survey)
    elif fmt == "codebook-html":
        html = render_template("exports/codebook.html", survey=survey, rows=codebook.codebook_rows(survey))
        yield html.encode("utf-8")
    else:
        raise DomainError(f"{fmt} is not a streaming format")


def export_file(survey: Survey, fmt: str, path: str, *, bom: bool = False, semicolon: bool = False) -> None:
    """Write the export of `survey` in `fmt` to `path`."""
    log.info("export of survey %s as %s", survey.slug, fmt)
    if FORMATS[fmt][2]:
        with open(path, "wb") as out:
            for chunk in export_stream(survey, fmt, bom=bom, semicolon=semicolon):
                out.write(chunk)
        return
    plan = Plan(survey, build_columns(survey))
    writer = {"xlsx": formats.write_xlsx, "sav": formats.write_sav, "dta": formats.write_dta}[fmt]
    writer(path, plan, iter_items(survey, plan))
