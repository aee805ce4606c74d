"""Results of a survey: per-question aggregates, cross-tabs and text answers, suppressed for the viewer.

Views call `survey_results`, `crosstab` and `text_answers`; each runs a fixed number of SQL
statements (see `app.results.queries`), however many responses there are.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from flask import abort, current_app
from sqlalchemy import select

from app.extensions import db
from app.results import queries, tallies
from app.results.models import ANSWERED
from app.results.suppression import Cell, suppress_line, suppress_table
from app.results.variables import MergedVariable, merged_variables, profile_filters
from app.surveys.models import Survey

TEXT_TYPES = ("short_text", "long_text")
log = logging.getLogger(__name__)


def suppression_min() -> int:
    return int(current_app.config.get("SUPPRESSION_MIN", 5))


def is_staff(user) -> bool:
    return bool(user and user.is_authenticated and user.is_staff)


def get_survey_for_results_or_404(slug: str, user) -> Survey:
    """The survey whose results `user` may see: staff any, others only with public results."""
    survey = db.session.scalar(select(Survey).where(Survey.slug == slug))
    if survey is None or not survey.versions or not (is_staff(user) or survey.results_public):
        abort(404)
    return survey


def set_results_public(survey: Survey, public: bool, actor) -> None:
    """Show (or stop showing) the survey's suppressed results and findings to everyone. Flushes."""
    survey.results_public = public
    db.session.flush()
    log.info("user %s set results_public=%s on survey %s", actor.id, public, survey.id)


def visible_surveys(user) -> list[Survey]:
    """Surveys with results `user` may see."""
    stmt = select(Survey).order_by(Survey.slug)
    if not is_staff(user):
        stmt = stmt.where(Survey.results_public.is_(True))
    return [s for s in db.session.scalars(stmt) if s.versions]


@dataclass
class Row:
    code: int
    label: str
    count: int
    hidden: bool = False
    pct: float | None = None
    mean_rank: float | None = None


@dataclass
class VariableResult:
    var: MergedVariable
    text: str
    kind: str  # choice | multi | number | ranking | text | date
    n: int = 0
    n_hidden: bool = False
    rows: list[Row] = field(default_factory=list)
    mean: float | None = None
    median: float | None = None
    extra: dict = field(default_factory=dict)
    hidden: bool = False  # the whole question (group below the minimum)


def parse_filters(survey: Survey, args, variables=None) -> dict[str, tuple[int, ...]]:
    """{variable: codes} from query arguments `<filter key>=<code>` (unknown keys/codes ignored)."""
    out = {}
    for key, var in profile_filters(survey, variables).items():
        codes = {o.code for o in var.options}
        chosen = tuple(sorted({int(v) for v in args.getlist(key) if v.isdigit() and int(v) in codes}))
        if chosen:
            out[var.name] = chosen
    return out


def _kind(var: MergedVariable) -> str:
    if var.type in ("single_choice", "likert"):
        return "choice"
    if var.type == "multiple_choice":
        return "multi"
    return {"number": "number", "ranking": "ranking", "date": "date"}.get(var.type, "text")


def _aggregates(survey: Survey, variables: list[MergedVariable], filters) -> dict:
    """The raw numbers of the results page (cached per data stamp): from the result tallies (two
    statements, app.results.tallies) when they cover the filters, else counted on demand in one
    pass over the matching responses' answers."""
    by_kind = kinds(variables)

    def compute():
        groups = _tally_groups(survey, variables, filters)
        counts = tallies.read(survey, groups, variables) if groups is not None else None
        if counts is None:  # filters the tallies don't cover, or tallies awaiting a rebuild
            return _from_counts(tallies.count_matching(survey, filters, variables), by_kind)
        keys = [(g, float(c)) for g, codes in groups for c in codes or (0,)]
        return _from_counts(tallies.combine(counts, keys), by_kind)

    return queries.cached(survey.id, ("page", queries.filter_key(filters)), compute)


def counted_on_demand(survey_id: int, by_kind: dict[str, list[str]], filters) -> dict:
    """The numbers of the results page by separate GROUP BYs over the answers (seven statements):
    how they were counted before the tallies; the tests compare the tallies with it."""
    sid, f = survey_id, filters
    return {
        "total": queries.respondent_total(sid, f),
        "codes": queries.code_counts(sid, by_kind.get("choice", []) + by_kind.get("multi", []), f),
        "answered": {
            **queries.answered_counts(sid, by_kind.get("multi", []), f),
            **queries.row_counts(sid, by_kind.get("text", []) + by_kind.get("date", []), f),
        },
        "numbers": queries.number_stats(sid, by_kind.get("number", []), f),
        "ranks": queries.rank_counts(sid, by_kind.get("ranking", []), f),
    }


def kinds(variables: list[MergedVariable]) -> dict[str, list[str]]:
    by_kind: dict[str, list[str]] = {}
    for var in variables:
        by_kind.setdefault(_kind(var), []).append(var.name)
    return by_kind


def _tally_groups(survey: Survey, variables: list[MergedVariable], filters):
    """The tally groups that answer `filters` (None: compute on demand).

    No filter: all responses. One profile variable that the tallies break down by, with one code,
    or several codes of a single-choice question (a response is in one group only): its groups.
    """
    if not filters:
        return [("", None)]
    if len(filters) != 1:
        return None
    ((name, codes),) = filters.items()
    var = next((v for v in variables if v.name == name), None)
    if var is None or name not in tallies.group_variables(survey, variables):
        return None
    if len(codes) == 1 or var.is_choice:
        return [(name, tuple(codes))]
    return None


def _from_counts(counts: dict, by_kind: dict[str, list[str]]) -> dict:
    """The numbers of `_aggregates` from tallied counts {(variable, item, value): n}."""
    choice = set(by_kind.get("choice", []) + by_kind.get("multi", []))
    answered_names = set(by_kind.get("multi", []) + by_kind.get("text", []) + by_kind.get("date", []))
    ranking, number = set(by_kind.get("ranking", [])), set(by_kind.get("number", []))
    codes: dict[str, dict[int, int]] = {}
    ranks: dict[str, dict[int, dict[int, int]]] = {}
    answered: dict[str, int] = {}
    values: dict[str, list[tuple[float, int]]] = {}
    for (variable, item, value), n in counts.items():
        if item == ANSWERED:
            if variable in answered_names:
                answered[variable] = n
        elif variable in choice:
            by_code = codes.setdefault(variable, {})
            by_code[int(value)] = by_code.get(int(value), 0) + n
        elif variable in ranking:
            ranks.setdefault(variable, {}).setdefault(item, {})[int(value)] = n
        elif variable in number:
            values.setdefault(variable, []).append((value, n))
    numbers = {}
    for variable, pairs in values.items():
        n = sum(c for _v, c in pairs)
        numbers[variable] = {
            "n": n,
            "mean": sum(v * c for v, c in pairs) / n,
            "min": min(v for v, _c in pairs),
            "max": max(v for v, _c in pairs),
            "median": _median_from_counts(pairs),
        }
    return {
        "total": counts.get(("", ANSWERED, 0.0), 0),
        "codes": codes,
        "answered": answered,
        "numbers": numbers,
        "ranks": ranks,
    }


def survey_results(survey: Survey, filters, user, locale: str | None) -> dict:
    """Everything the results page shows, suppressed unless `user` is staff."""
    variables = merged_variables(survey)
    data = _aggregates(survey, variables, filters)
    staff, minimum = is_staff(user), suppression_min()
    total = data["total"]
    group_too_small = not staff and total < minimum
    results = []
    for var in variables:
        kind = _kind(var)
        res = VariableResult(var, var.text(locale), kind)
        if kind in ("choice", "multi"):
            _choice_result(res, data, staff, minimum, locale)
        elif kind == "number":
            stats = data["numbers"].get(var.name) or {"n": 0}
            res.n = stats["n"]
            res.mean, res.median = stats.get("mean"), stats.get("median")
            res.extra = {"min": stats.get("min"), "max": stats.get("max")}
            res.hidden = not staff and res.n < minimum
        elif kind == "ranking":
            _ranking_result(res, data, staff, minimum, locale)
        else:
            res.n = data["answered"].get(var.name, 0)
            res.n_hidden = not staff and queries_small(res.n, minimum)
        if group_too_small:
            res.hidden = True
        results.append(res)
    return {"total": total, "total_hidden": group_too_small, "results": results, "staff": staff}


def queries_small(count: int, minimum: int) -> bool:
    return 0 < count < minimum


def _choice_result(res: VariableResult, data, staff: bool, minimum: int, locale) -> None:
    var = res.var
    counts = data["codes"].get(var.name, {})
    codes = [o.code for o in var.options] + sorted(set(counts) - {o.code for o in var.options})
    cells = [Cell(counts.get(c, 0)) for c in codes]
    if res.kind == "multi":
        res.n = data["answered"].get(var.name, 0)
    else:
        res.n = sum(c.count for c in cells)
    if not staff:
        total_hidden = suppress_line(cells, minimum, additive=res.kind == "choice")
        res.n_hidden = total_hidden or queries_small(res.n, minimum)
        res.hidden = res.n < minimum
    for code, cell in zip(codes, cells, strict=True):
        pct = cell.count / res.n * 100 if res.n and not cell.hidden else None
        res.rows.append(Row(code, var.label(code, locale), cell.count, cell.hidden, pct))
    if var.type == "likert":
        scale = [(c, n) for c, n in counts.items() if c != 9]
        valid = sum(n for _c, n in scale)
        res.extra["valid"] = valid
        if valid and (staff or valid >= minimum):
            res.mean = sum(c * n for c, n in scale) / valid
            res.median = _median_from_counts(scale)


def _median_from_counts(pairs: list[tuple[int, int]]) -> float | None:
    """Median of a frequency table (code, count): the mean of the middle one or two values."""
    total = sum(n for _c, n in pairs)
    if not total:
        return None
    lower, upper = (total + 1) // 2, (total + 2) // 2
    seen, low_value, high_value = 0, None, None
    for code, n in sorted(pairs):
        seen += n
        if low_value is None and seen >= lower:
            low_value = code
        if seen >= upper:
            high_value = code
            break
    return (low_value + high_value) / 2


def _ranking_result(res: VariableResult, data, staff: bool, minimum: int, locale) -> None:
    var = res.var
    ranks = data["ranks"].get(var.name, {})
    res.n = max((by_rank.get(1, 0) for by_rank in ranks.values()), default=0) and sum(
        by_rank.get(1, 0) for by_rank in ranks.values()
    )  # every ranking response puts exactly one option first
    res.hidden = not staff and res.n < minimum
    for option in var.options:
        by_rank = ranks.get(option.code, {})
        n = sum(by_rank.values())
        mean = sum(r * c for r, c in by_rank.items()) / n if n else None
        first = by_rank.get(1, 0)
        hidden = not staff and queries_small(first, minimum)
        pct = first / res.n * 100 if res.n and not hidden else None
        res.rows.append(Row(option.code, option.label.get(locale), first, hidden, pct, mean))


def closed_variables(survey: Survey) -> list[MergedVariable]:
    return [v for v in merged_variables(survey) if v.is_closed]


def crosstab(survey: Survey, row_name: str, col_name: str, filters, locale) -> dict | None:
    """A suppressed cross-tab (for everyone) of two closed variables, or None for unknown names."""
    by_name = {v.name: v for v in closed_variables(survey)}
    row_var, col_var = by_name.get(row_name), by_name.get(col_name)
    if row_var is None or col_var is None or row_name == col_name:
        return None
    counts = queries.cached(
        survey.id,
        ("crosstab", row_name, col_name, queries.filter_key(filters)),
        lambda: (
            _crosstab_from_tallies(survey, row_name, col_name, filters)
            or queries.crosstab_counts(survey.id, row_name, col_name, filters)
        ),
    )
    row_codes = [o.code for o in row_var.options]
    col_codes = [o.code for o in col_var.options]
    matrix = [[counts.get((r, c), 0) for c in col_codes] for r in row_codes]
    table = suppress_table(matrix, suppression_min())
    # multiple choice on either side: a response counts once per chosen option, so margins are
    # sums of choices, not of responses; the page says so.
    return {
        "row_var": row_var,
        "col_var": col_var,
        "row_labels": [row_var.label(c, locale) for c in row_codes],
        "col_labels": [col_var.label(c, locale) for c in col_codes],
        "table": table,
        "multi": "multiple_choice" in (row_var.type, col_var.type),
    }


def _crosstab_from_tallies(survey: Survey, row_name: str, col_name: str, filters) -> dict | None:
    """Without filters, a cross-tab with a profile variable on one side is that variable's
    breakdown of the other (the same pairs of answer rows); None when the tallies can't say."""
    groups = tallies.group_variables(survey)
    if filters or not ({row_name, col_name} & set(groups)):
        return None
    group, other = (row_name, col_name) if row_name in groups else (col_name, row_name)
    counts = tallies.read(survey, [(group, None)], names=[other])
    if counts is None:
        return None
    out = {}
    for (_group, code), rows in counts.items():
        for (variable, item, value), n in rows.items():
            if variable == other and item != ANSWERED:
                key = (int(code), int(value)) if group == row_name else (int(value), int(code))
                out[key] = out.get(key, 0) + n
    return out


def text_answers(survey: Survey, name: str, filters, page: int, per_page: int = 50):
    """(variable, answers on this page, total) for a text variable (staff only: the view checks)."""
    var = next((v for v in merged_variables(survey) if v.name == name and v.type in TEXT_TYPES), None)
    if var is None:
        abort(404)
    answers, total = queries.text_page(survey.id, name, filters, max(1, page), per_page)
    return var, answers, total
