"""Section "flow": the respondent flow under load, its ceilings, and its SQL per submission.

- the benchmark survey (bench/bench-survey.yaml) is stored with the surveys service and opened;
- statements and transactions of one submission are counted in a test-client run;
- gunicorn serves the platform and the bare Flask app side by side; runs alternate between them
  so a change in the machine's background load hits both;
- the raw insert rate of the same rows goes straight through the driver (sqlite3 / psycopg).
"""

from __future__ import annotations

import os
import random
import sqlite3
import time
from pathlib import Path
from urllib.parse import urlencode

from bench import client, servers
from bench.measure import Figure, StatementCounter

SURVEY_FILE = Path(__file__).with_name("bench-survey.yaml")
SURVEY_SLUG = "bench-flow"


def make_app(database_url: str, secret_key: str):
    from app import create_app

    return create_app(
        {"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": secret_key, "LOG_LEVEL": "WARNING"}
    )


def load_bench_survey():
    """Store and open the benchmark survey (inside an app context); returns its version."""
    from app.extensions import db
    from app.surveys.loader import load_definition
    from app.surveys.versions import sync_definition

    definition = load_definition(SURVEY_FILE, require_en=True)
    version, _outcome = sync_definition(definition, "bench/bench-survey.yaml")
    if version.survey.status != "open":
        version.survey.open()
    db.session.commit()
    return version


def issue_invitations(survey_id: int, n: int, prefix: str) -> list[str]:
    """`n` organisations, each invited with its own link; returns the link tokens."""
    from sqlalchemy import insert, select

    from app.extensions import db
    from app.invitations.models import Invitation
    from app.organisations.models import Organisation, name_key
    from app.surveys.models import Survey

    names = [f"Benchmark {prefix} {i:06d}" for i in range(n)]
    db.session.execute(
        insert(Organisation),
        [
            {"name": name, "name_key": name_key(name), "service_type": "caw", "region": "antwerpen"}
            for name in names
        ],
    )
    ids = db.session.scalars(
        select(Organisation.id).where(Organisation.name.like(f"Benchmark {prefix} %"))
    ).all()
    survey = db.session.get(Survey, survey_id)
    invitations = [Invitation(survey=survey, organisation_id=org_id) for org_id in ids]
    db.session.add_all(invitations)
    db.session.flush()
    tokens = [invitation.issue_token() for invitation in invitations]
    db.session.commit()
    return tokens


class SubmissionWalker:
    """One submission through the Flask test client, with counts per request."""

    def __init__(self, app, counter: StatementCounter):
        self.client = app.test_client()
        self.counter = counter
        self.requests: list[str] = []

    def _do(self, label: str, method: str, url: str, data: bytes | None = None):
        self.counter.label = label
        self.requests.append(label)
        if method == "GET":
            response = self.client.get(url)
        else:
            response = self.client.post(url, data=data, content_type="application/x-www-form-urlencoded")
        self.counter.label = "between requests"
        return response

    def submit(self, token: str, rng: random.Random) -> None:
        page = f"/u/{token}?pagina={client.BENCH_PAGE}"
        r = self._do("1 GET form", "GET", page)
        assert r.status_code == 200, r.status_code
        csrf = client.CSRF_RE.search(r.data).group(1).decode()
        r = self._do("2 POST page", "POST", page, client.answers_body(rng, csrf))
        assert r.status_code == 302, r.status_code
        summary = r.headers["Location"]
        r = self._do("3 GET summary", "GET", summary)
        assert r.status_code == 200, r.status_code
        csrf = client.CSRF_RE.search(r.data).group(1).decode()
        body = urlencode({"csrf_token": csrf, "actie": "versturen"}).encode()
        r = self._do("4 POST submit", "POST", summary, body)
        assert r.status_code == 302, r.status_code
        r = self._do("5 GET thank-you", "GET", r.headers["Location"])
        assert r.status_code == 200 and client.THANKS_MARK in r.data, r.status_code


def count_statements(app, tokens: list[str]) -> list[dict]:
    """Statements and transactions per request of each submission after a warm-up with tokens[0]."""
    from app.extensions import db

    rng = random.Random(1)
    with app.app_context():
        engine = db.engine
    SubmissionWalker(app, StatementCounter(engine)).submit(tokens[0], rng)  # warm caches, connect
    out = []
    for token in tokens[1:]:
        with StatementCounter(engine) as counter:
            walker = SubmissionWalker(app, counter)
            walker.submit(token, rng)
        per_request = {
            label: {"statements": c.statements, "begins": c.begins, "commits": c.commits, "sql": c.sql}
            for label, c in counter.buckets.items()
            if label != "between requests"
        }
        total = counter.total
        out.append(
            {
                "requests": len(walker.requests),
                "per_request": per_request,
                "statements": total.statements,
                "commits": total.commits,
                "begins": total.begins,
            }
        )
    return out


# -- the raw ceiling ----------------------------------------------------------------------------


def bench_rows(definition, survey_id: int, response_id: int, rng: random.Random) -> list[tuple]:
    """The answer rows one submission of the client stores (same types and values)."""
    from app.surveys.storage import answers_to_rows

    answers = {f"stelling_{i}": rng.randint(1, 5) for i in range(1, 6)}
    answers.update(
        soort_dienst=rng.randint(1, 4),
        kanalen=sorted(rng.sample((1, 2, 3, 4), 2)),
        medewerkers=rng.randint(3, 400),
        functie=rng.choice(client.TEXTS),
        opmerking=client.REMARKS[0],
    )
    return [
        (r["response_id"], r["variable"], r["item"], r["survey_id"], r["num"], r["text"])
        for r in answers_to_rows(definition, answers, response_id, survey_id)
    ]


def raw_insert_rate(
    database_url: str, definition, survey_id: int, version_id: int, seconds: float, max_transactions: int
) -> dict:
    """Transactions/s of one response + its answer rows, straight through the driver."""
    from app.surveys.models import random_response_id

    today = time.strftime("%Y-%m-%d")
    response_sql = (
        "INSERT INTO responses (id, survey_id, version_id, organisation_id, user_id, "
        "submitted_at, submitted_on) VALUES (?, ?, ?, NULL, NULL, NULL, ?)"
    )
    answer_sql = (
        "INSERT INTO answers (response_id, variable, item, survey_id, num, text) VALUES (?, ?, ?, ?, ?, ?)"
    )
    rng = random.Random(7)
    if database_url.startswith("sqlite"):
        # The app's own connection settings (app/core/database.py).
        conn = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
        for pragma in (
            "busy_timeout = 5000",
            "foreign_keys = ON",
            "journal_mode = WAL",
            "synchronous = NORMAL",
        ):
            conn.execute(f"PRAGMA {pragma}")
        begin = "BEGIN IMMEDIATE"
    else:
        import psycopg

        conn = psycopg.connect(database_url.replace("postgresql+psycopg://", "postgresql://"))
        response_sql, answer_sql = response_sql.replace("?", "%s"), answer_sql.replace("?", "%s")
        begin = None
    done = 0
    rows = 0
    try:
        cursor = conn.cursor()
        deadline = time.monotonic() + seconds
        started = time.monotonic()
        while done < max_transactions and time.monotonic() < deadline:
            response_id = random_response_id()
            answer_rows = bench_rows(definition, survey_id, response_id, rng)
            if begin:
                cursor.execute(begin)
            cursor.execute(response_sql, (response_id, survey_id, version_id, today))
            cursor.executemany(answer_sql, answer_rows)
            conn.commit() if begin is None else cursor.execute("COMMIT")
            done += 1
            rows += len(answer_rows)
        elapsed = time.monotonic() - started
    finally:
        conn.close()
    return {"per_second": done / elapsed, "transactions": done, "answer_rows": rows / max(done, 1)}


def measured_load(server, kind: str, clients: int, seconds: float, items: list, seed: int = 0) -> dict:
    """`client.run_load` plus the server's own CPU time per request over the run."""
    before = server.cpu_seconds()
    result = client.run_load(kind, server.port, clients, seconds, items, seed=seed)
    result["server_cpu_ms_per_request"] = (server.cpu_seconds() - before) * 1000 / max(result["requests"], 1)
    return result


# -- the section --------------------------------------------------------------------------------


def run(db_name: str, database_url: str, folder: Path, cleanup, settings, figures: list[Figure]) -> dict:
    """Every figure of the flow section on one database, into `figures`; returns details for the JSON."""
    import secrets

    secret_key = secrets.token_urlsafe(48)
    env = servers.app_env(database_url, secret_key, folder)
    servers.upgrade_database(env)
    app = make_app(database_url, secret_key)
    runs, seconds, clients = settings.runs, settings.flow_seconds, settings.clients
    per_run = settings.invitations_per_run
    with app.app_context():
        from app.extensions import db

        version = load_bench_survey()
        survey_id = version.survey_id
        count_tokens = issue_invitations(survey_id, 1 + runs, "count")
        warm_tokens = issue_invitations(survey_id, clients * 10, "warm")
        run_tokens = [issue_invitations(survey_id, per_run, f"run{i}") for i in range(runs)]
        version_id, definition = version.id, version.definition

    counts = count_statements(app, count_tokens)
    with app.app_context():
        db.engine.dispose()  # the client processes fork from here

    server = servers.Gunicorn("wsgi:app", env, cleanup, folder / f"gunicorn-{db_name}.log")
    bare_server = servers.Gunicorn(
        "bench.bare_app:app", servers.app_env("", "", folder), cleanup, folder / "gunicorn-bare.log"
    )
    details = {"statements": counts, "runs": []}
    try:
        client.run_load("flow", server.port, clients, min(2.0, seconds), warm_tokens, seed=99)
        client.run_load("get", bare_server.port, clients, min(2.0, seconds), ["/"])
        for i in range(runs):
            flow = measured_load(server, "flow", clients, seconds, run_tokens[i], seed=i)
            bare = measured_load(bare_server, "get", clients, seconds, ["/"])
            details["runs"].append({"flow": flow, "bare": bare})
            if flow["errors"] or bare["errors"]:
                print(
                    f"  [{db_name}] run {i + 1}: flow errors {flow['errors']} ({flow['first_error']}),"
                    f" bare errors {bare['errors']} (see {server.log})"
                )
            print(
                f"  [{db_name}] run {i + 1}/{runs}: {flow['per_second']:.1f} submissions/s "
                f"({flow['requests_per_second']:.0f} req/s, "
                f"{flow['server_cpu_ms_per_request']:.2f} ms CPU/req),"
                f" bare {bare['requests_per_second']:.0f} req/s ({bare['server_cpu_ms_per_request']:.2f} ms)"
                + (" [links ran out]" if flow["exhausted"] else ""),
                flush=True,
            )
    finally:
        cleanup.now(server.stop)
        cleanup.now(bare_server.stop)
    flows = [r["flow"] for r in details["runs"]]
    bares = [r["bare"] for r in details["runs"]]
    flow_rates = [f["per_second"] for f in flows]

    raw = [
        raw_insert_rate(
            database_url, definition, survey_id, version_id, settings.raw_seconds, settings.raw_max
        )
        for _ in range(runs)
    ]
    details["raw"] = raw
    raw_rates = [r["per_second"] for r in raw]
    raw_ratios = [f / r for f, r in zip(flow_rates, raw_rates, strict=True)]
    note_clients = f"{clients} clients, {seconds:g} s, gunicorn -w 2"
    figures += [
        Figure(db_name, "flow", "submissions", "1/s", flow_rates, note=note_clients),
        Figure(
            db_name,
            "flow",
            "requests per submission",
            "n",
            [f["requests"] / max(f["done"], 1) for f in flows],
        ),
        Figure(db_name, "flow", "flow requests", "req/s", [f["requests_per_second"] for f in flows]),
        Figure(
            db_name,
            "flow",
            "bare Flask requests",
            "req/s",
            [b["requests_per_second"] for b in bares],
            note="ceiling, same client",
        ),
        Figure(
            db_name,
            "flow",
            "flow / bare Flask",
            "ratio",
            [f["requests_per_second"] / b["requests_per_second"] for f, b in zip(flows, bares, strict=True)],
            note="request rates, run by run; target >= 0.25 on sqlite",
        ),
        Figure(
            db_name,
            "flow",
            "server CPU per flow request",
            "ms",
            [f["server_cpu_ms_per_request"] for f in flows],
            note="gunicorn master + workers",
        ),
        Figure(
            db_name,
            "flow",
            "server CPU per bare request",
            "ms",
            [b["server_cpu_ms_per_request"] for b in bares],
        ),
        Figure(
            db_name,
            "flow",
            "raw inserts (1 response + rows)",
            "tx/s",
            raw_rates,
            note=f"{raw[0]['answer_rows']:.0f} answer rows/tx, 1 connection",
        ),
        Figure(db_name, "flow", "submissions / raw inserts", "ratio", raw_ratios),
        Figure(
            db_name,
            "flow",
            "client CPU during flow runs",
            "cores",
            [f["client_cpu_share"] for f in flows],
            note=f"of {os.cpu_count()}",
        ),
        Figure(
            db_name, "flow", "client CPU during bare runs", "cores", [b["client_cpu_share"] for b in bares]
        ),
        Figure(
            db_name,
            "flow",
            "statements, whole flow",
            "n",
            [c["statements"] for c in counts],
            note=f"{counts[0]['requests']} requests, test client",
        ),
        Figure(db_name, "flow", "commits, whole flow", "n", [c["commits"] for c in counts]),
    ]
    for label in counts[0]["per_request"]:
        per = [c["per_request"][label] for c in counts]
        target = " (target <= 6 / 1)" if "submit" in label else ""
        figures.append(
            Figure(
                db_name,
                "flow",
                f"{label}: statements",
                "n",
                [p["statements"] for p in per],
                note=f"{per[0]['commits']} commit(s){target}",
            )
        )
    return details
