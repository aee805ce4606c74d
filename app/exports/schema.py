"""The explicit export schema: one row per response, one column per variable (per option for
multiple choice and ranking), versions merged by variable name. Nothing is exported that is not
listed here.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field

from flask import current_app

from app.results.variables import MergedVariable, merged_variables

# Missing-value codes in SPSS/Stata (the CSV leaves a missing answer empty).
DONT_KNOW = 9


@dataclass
class Column:
    """One export column. `kind` is "num" or "str"; `source` says where its value comes from."""

    name: str
    label: str
    label_en: str
    kind: str
    source: str  # meta | single | multi | rank | text
    variable: MergedVariable | None = None
    code: int | None = None
    value_labels: dict[int, str] = field(default_factory=dict)
    missing: tuple[int, ...] = ()


def pseudonym(survey_slug: str, organisation_id: int) -> str:
    """A stable code per organisation and survey: HMAC(SECRET_KEY, survey + organisation id)."""
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"{survey_slug}:{organisation_id}".encode(), hashlib.sha256).hexdigest()
    return f"ORG-{digest[:8].upper()}"


def meta_columns(anonymity: str) -> list[Column]:
    cols = [
        Column("response_id", "Antwoord-id (willekeurig)", "Response id (random)", "num", "meta"),
        Column("version", "Versie van de vragenlijst", "Questionnaire version", "num", "meta"),
    ]
    if anonymity != "anonymous":
        cols.append(Column("submitted_on", "Ingediend op (dag)", "Submitted on (day)", "str", "meta"))
        label = ("Organisatie (pseudoniem)", "Organisation (pseudonym)")
        if anonymity == "identified":
            label = ("Organisatie", "Organisation")
        cols.append(Column("organisation", *label, "str", "meta"))
    return cols


def build_columns(survey) -> list[Column]:
    """Columns of the export of `survey` (anonymity of its current version decides the meta columns)."""
    cols = meta_columns(survey.anonymity)
    for var in merged_variables(survey):
        nl, en = var.text("nl"), var.text("en")
        labels = {o.code: o.label.get("nl") for o in var.options}
        if var.type in ("single_choice", "likert"):
            missing = (DONT_KNOW,) if var.type == "likert" and DONT_KNOW in labels else ()
            cols.append(Column(var.name, nl, en, "num", "single", var, None, labels, missing))
        elif var.type == "number":
            cols.append(Column(var.name, nl, en, "num", "single", var))
        elif var.type == "multiple_choice":
            for option in var.options:
                o_nl, o_en = option.label.get("nl"), option.label.get("en")
                cols.append(
                    Column(
                        f"{var.name}_{option.code}",
                        f"{nl}: {o_nl}",
                        f"{en}: {o_en}",
                        "num",
                        "multi",
                        var,
                        option.code,
                        {0: "niet gekozen", 1: "gekozen"},
                    )
                )
        elif var.type == "ranking":
            for option in var.options:
                o_nl, o_en = option.label.get("nl"), option.label.get("en")
                cols.append(
                    Column(
                        f"{var.name}_{option.code}",
                        f"{nl}: {o_nl} (rang)",
                        f"{en}: {o_en} (rank)",
                        "num",
                        "rank",
                        var,
                        option.code,
                    )
                )
        else:
            cols.append(Column(var.name, nl, en, "str", "text", var))
    return cols
