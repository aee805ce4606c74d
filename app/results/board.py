"""The findings board: each 2014 interview finding beside what the survey says now, with a verdict.

A *test* is one variable (or one multiple-choice option) that names a finding (docs/survey-format.md,
"Testing findings"): it yields k supporting answers out of n. Statements per survey are fixed
(the result tallies' check and one read, app.results.tallies; cached per data stamp), whatever
the number of responses.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.results import queries, tallies
from app.results.models import ANSWERED
from app.results.services import is_staff, suppression_min, visible_surveys
from app.results.variables import SERVICE_TYPE_VARIABLE, merged_variables

MIN_N = 30
VERDICT_RULE = _l(
    "Oordeel per toets: te weinig gegevens als minder dan %(min_n)s organisaties antwoordden. Anders "
    "bevestigd als het aandeel uit de interviews binnen het betrouwbaarheidsinterval van %(level)s "
    "(Wilson) van de bevraging ligt, of als het hele interval aan dezelfde kant van %(half)s ligt als "
    "het aandeel uit de interviews; tegengesproken als het hele interval aan de andere kant van "
    "%(half)s ligt; anders gemengd. Zonder telling uit de interviews lezen we de uitspraak als 'de "
    "meeste organisaties': bevestigd als het interval helemaal boven %(half)s ligt, tegengesproken "
    "als het helemaal onder %(half)s ligt. Een bevinding met meerdere toetsen is bevestigd of "
    "tegengesproken als alle toetsen met genoeg gegevens dat zeggen, en anders gemengd.",
    min_n=MIN_N,
    level="95%",
    half="50%",
)
VERDICTS = {
    "confirmed": _l("bevestigd"),
    "contradicted": _l("tegengesproken"),
    "mixed": _l("gemengd"),
    "no_data": _l("te weinig gegevens"),
}


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval for k successes out of n (95% for z=1.96); (0, 1) when n = 0."""
    if n <= 0:
        return 0.0, 1.0
    p = k / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def verdict(k: int, n: int, interview_share: float | None) -> str:
    """The verdict of one test (the rule in VERDICT_RULE)."""
    if n < MIN_N:
        return "no_data"
    low, high = wilson(k, n)
    if interview_share is None:
        return "confirmed" if low > 0.5 else "contradicted" if high < 0.5 else "mixed"
    if low <= interview_share <= high:
        return "confirmed"
    if interview_share != 0.5 and (low > 0.5 or high < 0.5):
        same_side = (low > 0.5) == (interview_share > 0.5)
        return "confirmed" if same_side else "contradicted"
    return "mixed"


def combine(verdicts: list[str]) -> str:
    """One verdict for a finding from those of its tests."""
    known = [v for v in verdicts if v != "no_data"]
    if not known:
        return "no_data"
    return known[0] if all(v == known[0] for v in known) and known[0] != "mixed" else "mixed"


@dataclass
class Test:
    survey: object
    var: object
    label: str
    k: int
    n: int
    reverse: bool
    hidden: bool = False
    verdict: str = "no_data"
    by_type: list[dict] = field(default_factory=list)

    @property
    def share(self) -> float | None:
        return self.k / self.n if self.n else None

    @property
    def interval(self) -> tuple[float, float]:
        return wilson(self.k, self.n)


@lru_cache(maxsize=4)
def _catalogue(path: str, _mtime: float):
    from app.surveys.loader import load_findings

    return load_findings(path)


def catalogue_stamp() -> float:
    path = Path(current_app.config["SURVEYS_DIR"]) / "findings.yaml"
    return path.stat().st_mtime if path.is_file() else 0.0


def catalogue():
    path = Path(current_app.config["SURVEYS_DIR"]) / "findings.yaml"
    if not path.is_file():
        return []
    return list(_catalogue(str(path), path.stat().st_mtime))


def _links(survey):
    """(variable, finding link, option code or None, k-codes) for every test in the survey."""
    out = []
    for var in merged_variables(survey):
        if var.type == "multiple_choice":
            out += [(var, o.test, o.code, {o.code}) for o in var.options if o.test is not None]
        elif var.variable.test is not None and var.type == "likert":
            out.append((var, var.variable.test, None, {4, 5}))
        elif var.variable.test is not None and var.type == "single_choice" and var.variable.test.supports:
            out.append((var, var.variable.test, None, set(var.variable.test.supports)))
    return out


def _survey_numbers(survey, links):
    names = sorted({var.name for var, *_ in links})
    multi = sorted({var.name for var, *_ in links if var.type == "multiple_choice"})
    group = SERVICE_TYPE_VARIABLE

    def compute():
        # From the result tallies (app.results.tallies): all responses and by type of service.
        grouped = group in tallies.group_variables(survey)
        counts = tallies.read(survey, [("", None)] + ([(group, None)] if grouped else []), names=names)
        if counts is None:  # the tallies await a rebuild after a delete: count on demand
            sid = survey.id
            return {
                "codes": queries.code_counts(sid, names, {}),
                "answered": queries.answered_counts(sid, multi, {}),
                "g_codes": queries.grouped_code_counts(sid, group, names, {}),
                "g_answered": queries.grouped_answered(sid, group, multi, {}),
            }
        wanted, multiple = set(names), set(multi)
        out: dict = {"codes": {}, "answered": {}, "g_codes": {}, "g_answered": {}}
        for (group_variable, group_code), rows in counts.items():
            key = (lambda v: v) if group_variable == "" else (lambda v, c=int(group_code): (c, v))
            codes = out["codes" if group_variable == "" else "g_codes"]
            answered = out["answered" if group_variable == "" else "g_answered"]
            for (variable, item, value), n in rows.items():
                if variable not in wanted:
                    continue
                if item == ANSWERED:
                    if variable in multiple:
                        answered[key(variable)] = n
                else:
                    by_code = codes.setdefault(key(variable), {})
                    by_code[int(value)] = by_code.get(int(value), 0) + n
        return out

    return queries.cached(survey.id, ("board",), compute)


def _k_n(var, codes: dict, answered: int | None, supports: set, reverse: bool) -> tuple[int, int]:
    if var.type == "multiple_choice":
        n = answered or 0
    else:
        n = sum(c for code, c in codes.items() if not (var.type == "likert" and code == 9))
    k = sum(codes.get(code, 0) for code in supports)
    return (n - k if reverse else k), n


def findings_board(user, slug: str | None, locale: str | None) -> dict:
    """Rows per finding, with tests from the surveys `user` may see (or only `slug`)."""
    staff, minimum = is_staff(user), suppression_min()
    surveys = [s for s in visible_surveys(user) if slug in (None, "", s.slug)]
    tests: dict[str, list[Test]] = {}
    for survey in surveys:
        links = _links(survey)
        if not links:
            continue
        data = _survey_numbers(survey, links)
        by_name = {v.name: v for v in merged_variables(survey)}
        type_var = by_name.get(SERVICE_TYPE_VARIABLE)
        for var, link, option_code, supports in links:
            label = var.text(locale)
            if option_code is not None:
                label = f"{label} — {var.label(option_code, locale)}"
            k, n = _k_n(
                var, data["codes"].get(var.name, {}), data["answered"].get(var.name), supports, link.reverse
            )
            test = Test(survey, var, label, k, n, link.reverse)
            test.hidden = not staff and _disclosive(k, n, minimum)
            for option in type_var.options if type_var else ():
                gk, gn = _k_n(
                    var,
                    data["g_codes"].get((option.code, var.name), {}),
                    data["g_answered"].get((option.code, var.name)),
                    supports,
                    link.reverse,
                )
                if gn:
                    hidden = not staff and _disclosive(gk, gn, minimum)
                    test.by_type.append(
                        {"label": option.label.get(locale), "k": gk, "n": gn, "hidden": hidden}
                    )
            tests.setdefault(link.finding, []).append(test)
    rows = []
    for finding in catalogue():
        share = None
        if finding.interview_count is not None and finding.interview_of:
            share = finding.interview_count / finding.interview_of
        found = tests.get(finding.id, [])
        for test in found:
            test.verdict = verdict(test.k, test.n, share) if not test.hidden else "no_data"
        overall = combine([t.verdict for t in found])
        rows.append(
            {
                "finding": finding,
                "interview_share": share,
                "tests": found,
                "verdict": overall,
                "statement": finding.statement.get(locale),
            }
        )
    return {
        "rows": rows,
        "surveys": surveys,
        "selected": slug or "",
        "staff": staff,
        "verdicts": {key: str(text) for key, text in VERDICTS.items()},  # translated once
        "minimum": minimum,
        "min_n": MIN_N,
    }


def _disclosive(k: int, n: int, minimum: int) -> bool:
    """A share would reveal a group under the minimum (of supporters or of the others)."""
    return n < minimum or 0 < k < minimum or 0 < n - k < minimum
