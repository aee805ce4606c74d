"""'Meten is weten': a respondent's own answers beside the sector's distribution.

Contract with the respondent flow: after a submit, the flow appends the new response id to the
list in `session["own_responses"]` (ints; the most recent last). That is the only link between a
browser and an anonymous response, and it lives only in that browser's signed session cookie.
In identified mode a signed-in user's own responses (user_id) are found as well.
"""

from __future__ import annotations

from flask_login import current_user
from sqlalchemy import select

from app.extensions import db
from app.results import queries, tallies
from app.results.models import ANSWERED
from app.results.services import suppression_min
from app.results.suppression import Cell, suppress_line
from app.results.variables import merged_variables
from app.surveys.models import Answer, Response, Survey
from app.surveys.storage import rows_to_answers

MAX_OWN_IDS = 50


def own_response(survey: Survey, response_ids, user=None) -> Response | None:
    """The latest of the caller's own responses to `survey`, or None."""
    ids = [int(i) for i in list(response_ids)[-MAX_OWN_IDS:] if isinstance(i, int) or str(i).isdigit()]
    stmt = select(Response).where(Response.survey_id == survey.id)
    if ids:
        found = db.session.scalars(stmt.where(Response.id.in_(ids))).all()
        if found:
            return max(found, key=lambda r: ids.index(r.id))
    if user is not None and user.is_authenticated and survey.anonymity == "identified":
        return db.session.scalars(
            stmt.where(Response.user_id == user.id).order_by(Response.submitted_at.desc()).limit(1)
        ).first()
    return None


def sector_counts(survey, names: list[str], multi: list[str]) -> dict:
    """{"codes": {variable: {code: n}}, "answered": {variable: n}} of all responses: from the
    result tallies (app.results.tallies), or counted on demand while they await a rebuild."""
    counts = tallies.read(survey, [("", None)], names=names)
    if counts is None:
        return {
            "codes": queries.code_counts(survey.id, names, {}),
            "answered": queries.answered_counts(survey.id, multi, {}),
        }
    wanted, multiple = set(names), set(multi)
    out: dict = {"codes": {}, "answered": {}}
    for (variable, item, value), n in counts.get(("", 0.0), {}).items():
        if variable not in wanted:
            continue
        if item == ANSWERED:
            if variable in multiple:
                out["answered"][variable] = n
        else:
            by_code = out["codes"].setdefault(variable, {})
            by_code[int(value)] = by_code.get(int(value), 0) + n
    return out


def own_benchmark(slug: str, response_ids, locale: str | None) -> dict | None:
    """Own answers and the (suppressed) distribution for every closed question; None if no response.

    Uses one statement for the response, one for its answers and, for the sector, the data stamp
    and the result tallies' check and read (cached per data stamp), however many responses.
    """
    survey = db.session.scalar(select(Survey).where(Survey.slug == slug))
    if survey is None or not survey.versions:
        return None
    response = own_response(survey, response_ids, current_user)
    if response is None:
        return None
    rows = db.session.execute(
        select(Answer.variable, Answer.item, Answer.num, Answer.text).where(Answer.response_id == response.id)
    ).all()
    own = rows_to_answers(response.version.definition, rows)
    variables = [v for v in merged_variables(survey) if v.is_closed and v.name in own]
    names = [v.name for v in variables]
    multi = [v.name for v in variables if v.type == "multiple_choice"]
    sector = queries.cached(
        survey.id, ("benchmark", tuple(names)), lambda: sector_counts(survey, names, multi)
    )
    minimum = suppression_min()
    items = []
    for var in variables:
        counts = sector["codes"].get(var.name, {})
        codes = [o.code for o in var.options]
        cells = [Cell(counts.get(c, 0)) for c in codes]
        multiple = var.type == "multiple_choice"
        n = sector["answered"].get(var.name, 0) if multiple else sum(c.count for c in cells)
        if n < minimum:
            items.append(
                {"var": var, "text": var.text(locale), "hidden": True, "own": _own_labels(var, own, locale)}
            )
            continue
        suppress_line(cells, minimum, additive=not multiple)
        mine = own[var.name] if multiple else [own[var.name]]
        dist = [
            {
                "label": var.label(code, locale),
                "pct": None if cell.hidden else cell.count / n * 100,
                "mine": code in mine,
            }
            for code, cell in zip(codes, cells, strict=True)
        ]
        items.append(
            {
                "var": var,
                "text": var.text(locale),
                "hidden": False,
                "n": n,
                "dist": dist,
                "own": _own_labels(var, own, locale),
            }
        )
    return {"survey": survey, "questions": items, "minimum": minimum, "locale": locale}


def _own_labels(var, own: dict, locale) -> str:
    value = own.get(var.name)
    values = value if isinstance(value, list) else [value]
    return ", ".join(var.label(v, locale) for v in values if v is not None)
