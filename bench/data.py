"""Sections "results" and "exports": the demo survey grown to 1,000, 10,000 and 100,000 responses.

One database per engine: the results branch's generator (`generate_responses`) tops the demo
questionnaire herbevraging-2026 up to each size in turn, and at each size the runner measures
what was asked for there: the results page and the findings board (test client, query count,
with an empty results cache = the first view after new responses came in, and again warm), and
the export CLI in every format as a subprocess (time, rows/s, bytes, its own peak RSS).
"""

from __future__ import annotations

import re
import secrets
import subprocess
import sys
import time
from pathlib import Path

from bench import servers
from bench.measure import Figure, StatementCounter

SURVEY = "herbevraging-2026"
WRITTEN_RE = re.compile(r"written in ([0-9.]+) s")


def make_app(database_url: str, secret_key: str):
    from app import create_app

    return create_app(
        {"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": secret_key, "LOG_LEVEL": "WARNING"}
    )


def prepare(app) -> tuple[int, list[int]]:
    """Demo organisations and surveys (results public); returns (version id, organisation ids)."""
    from sqlalchemy import select

    from app.demo import load_foundation
    from app.extensions import db
    from app.organisations.models import Organisation
    from app.results.demo import demo_surveys

    with app.app_context():
        load_foundation()
        versions = {v.survey.slug: v for v in demo_surveys()}
        db.session.commit()
        org_ids = db.session.scalars(select(Organisation.id).order_by(Organisation.id)).all()
        return versions[SURVEY].id, list(org_ids)


def top_up(app, version_id: int, org_ids: list[int], have: int, want: int) -> float:
    """Generate responses until there are `want`; returns the seconds it took."""
    from app.extensions import db
    from app.results.demo import generate_responses
    from app.surveys.models import SurveyVersion

    started = time.perf_counter()
    with app.app_context():
        version = db.session.get(SurveyVersion, version_id)
        generate_responses(version, want - have, seed=want, organisation_ids=org_ids)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(db.text("ANALYZE"))
            db.session.commit()
    return time.perf_counter() - started


def fold_tallies(app) -> float:
    """What the result-tallies job does every minute: count new responses into the tallies."""
    from app.results.tallies import fold_all

    started = time.perf_counter()
    with app.app_context():
        fold_all()
    return time.perf_counter() - started


ARRIVALS = 10  # new responses before each first view, since the tallies job last ran


def arrive(app, version_id: int, org_ids: list[int], seed: int) -> None:
    """The job has run (it does every minute), then ARRIVALS responses come in, not counted yet."""
    from app.extensions import db
    from app.results.demo import generate_responses
    from app.results.tallies import fold_all
    from app.surveys.models import SurveyVersion

    with app.app_context():
        fold_all()
        version = db.session.get(SurveyVersion, version_id)
        generate_responses(version, ARRIVALS, seed=seed, organisation_ids=org_ids)
        db.session.commit()


def time_view(app, path: str, views: int, before=None) -> tuple[list[float], list[int]]:
    """Seconds and statements of `views` GETs of `path`; `before()` runs before each (cold views:
    new responses come in, which changes the data stamp, so nothing is served from the cache)."""
    from app.extensions import db

    with app.app_context():
        engine = db.engine
    client = app.test_client()
    assert client.get(path).status_code == 200  # connect, compile templates
    seconds, statements = [], []
    for _ in range(views):
        if before is not None:
            before()
        with StatementCounter(engine) as counter:
            started = time.perf_counter()
            response = client.get(path)
            seconds.append(time.perf_counter() - started)
        assert response.status_code == 200, (path, response.status_code)
        statements.append(counter.total.statements)
    return seconds, statements


def measure_results(
    app, db_name: str, n: int, views: int, version_id: int, org_ids: list[int]
) -> list[Figure]:
    """First views (after ARRIVALS new, not yet counted responses) and cached views of the pages.

    Returns the figures; the database grows by ARRIVALS responses per first view."""
    figures = []
    seeds = iter(range(n * 10 + 1, n * 10 + 1000))
    pages = (
        ("results page", f"/resultaten/{SURVEY}"),
        ("findings board", "/bevindingen"),
        ("results page filtered by type of service", f"/resultaten/{SURVEY}?soort_dienst=1"),
    )
    for name, path in pages:
        cold, queries_cold = time_view(
            app, path, views, lambda: arrive(app, version_id, org_ids, next(seeds))
        )
        warm, _queries = time_view(app, path, max(views, 5))
        target = 0.1 if n <= 10_000 else 0.5
        figures += [
            Figure(
                db_name,
                "results",
                f"{name} at {n:,}, first view",
                "s",
                cold,
                note=f"p50 of {views}, each after {ARRIVALS} new responses; target < {target} s",
            ),
            Figure(
                db_name,
                "results",
                f"{name} at {n:,}, cached",
                "s",
                warm,
                note=f"p50 of {max(views, 5)}; every later view until new responses",
            ),
            Figure(
                db_name,
                "results",
                f"{name} at {n:,}: queries",
                "n",
                queries_cold,
                note="first view; must not grow with n",
            ),
        ]
        print(
            f"  [{db_name}] {name} at {n:,}: {sorted(cold)[len(cold) // 2] * 1000:.0f} ms first view, "
            f"{sorted(warm)[len(warm) // 2] * 1000:.1f} ms cached, {queries_cold[0]} queries",
            flush=True,
        )
    return figures


def run_child(args: list[str], env: dict, timeout: float) -> tuple[float, int, str]:
    """(wall seconds, peak RSS in bytes, stdout) of one command run through `measured()`."""
    started = time.perf_counter()
    process = subprocess.Popen(
        args,
        env=env,
        cwd=servers.ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        servers.stop_process(process)
        raise
    finally:
        if process.poll() is None:
            servers.stop_process(process)
    wall = time.perf_counter() - started
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(args[-6:])} failed: {stderr.decode()[-2000:]}")
    out = stdout.decode()
    match = re.search(r"peak-rss-kb=(\d+)", stderr.decode())
    return wall, int(match.group(1)) * 1024 if match else -1, out


# Runs the command as a child and reports that child's own peak RSS (ru_maxrss of wait4): the
# runner's RUSAGE_CHILDREN holds the maximum over every child so far (gunicorn, earlier exports),
# so it cannot tell one export's peak from a bigger one before it.
RSS_WRAPPER = (
    "import os, sys\n"
    "pid = os.fork()\n"
    "if pid == 0:\n"
    "    os.execv(sys.executable, [sys.executable, *sys.argv[1:]])\n"
    "_pid, status, usage = os.wait4(pid, 0)\n"
    "sys.stderr.write(f'peak-rss-kb={usage.ru_maxrss}\\n')\n"
    "sys.exit(os.waitstatus_to_exitcode(status))\n"
)


def measured(args: list[str]) -> list[str]:
    return [sys.executable, "-c", RSS_WRAPPER, *args]


def measure_exports(db_name: str, n: int, env: dict, folder: Path, settings) -> list[Figure]:
    figures = []
    flask = ["-m", "flask", "--app", "wsgi"]
    if n == min(settings.export_sizes):
        baselines = [run_child(measured([*flask, "routes"]), env, 120)[1] / 1e6 for _ in range(settings.runs)]
        figures.append(
            Figure(
                db_name,
                "exports",
                "app process without export: peak RSS",
                "MB",
                baselines,
                note="`flask routes`, for comparison",
            )
        )
    for fmt in settings.export_formats:
        path = folder / f"export.{fmt}"
        times, walls, sizes, rss = [], [], [], []
        try:
            for _ in range(settings.runs):
                wall, peak, out = run_child(
                    measured([*flask, "export", SURVEY, "--format", fmt, "--out", str(path)]),
                    env,
                    settings.export_timeout,
                )
                match = WRITTEN_RE.search(out)
                times.append(float(match.group(1)) if match else wall)
                walls.append(wall)
                sizes.append(path.stat().st_size)
                rss.append(peak / 1e6)
                path.unlink()
        except (RuntimeError, subprocess.TimeoutExpired) as error:
            message = str(error).strip().splitlines()[-1][:120]
            print(f"  [{db_name}] {fmt} at {n:,}: FAILED {message}", flush=True)
            figures.append(Figure(db_name, "exports", f"{fmt} at {n:,}", "-", [], note=f"FAILED: {message}"))
            continue
        target = 100_000 if fmt == "csv" else 20_000 if fmt in ("xlsx", "sav", "dta") else None
        rate_note = f"target >= {target:,}" if target else ""
        figures += [
            Figure(db_name, "exports", f"{fmt} at {n:,}: time", "s", times, note="as the command reports it"),
            Figure(
                db_name,
                "exports",
                f"{fmt} at {n:,}: rows/s",
                "rows/s",
                # A time under the command's resolution (0.01 s) counts as that resolution.
                [n / max(t, 0.01) for t in times],
                note=rate_note,
            ),
            Figure(
                db_name,
                "exports",
                f"{fmt} at {n:,}: process wall time",
                "s",
                walls,
                note="with interpreter and app start",
            ),
            Figure(db_name, "exports", f"{fmt} at {n:,}: size", "MB", [s / 1e6 for s in sizes]),
            Figure(db_name, "exports", f"{fmt} at {n:,}: peak RSS", "MB", rss, note="target < 200 MB"),
        ]
        median = sorted(times)[1]
        print(
            f"  [{db_name}] {fmt} at {n:,}: {median:.2f} s, {n / max(median, 0.01):,.0f} rows/s, "
            f"{sorted(rss)[1]:.0f} MB peak",
            flush=True,
        )
    return figures


def run(
    db_name: str, database_url: str, folder: Path, cleanup, settings, sections, figures: list[Figure]
) -> dict:
    """Measure into `figures` as it goes (an interrupted run keeps what it has); returns details."""
    secret_key = secrets.token_urlsafe(48)
    env = servers.app_env(database_url, secret_key, folder)
    servers.upgrade_database(env)
    app = make_app(database_url, secret_key)
    version_id, org_ids = prepare(app)
    sizes = sorted(
        set(settings.results_sizes if "results" in sections else ())
        | set(settings.export_sizes if "exports" in sections else ())
    )
    details: dict = {"generated": {}}
    have = 0
    for n in sizes:
        seconds = top_up(app, version_id, org_ids, have, n) if n > have else 0.0
        details["generated"][n] = seconds
        fold = fold_tallies(app)  # the result-tallies job, once the new responses are in
        details.setdefault("tallies_fold", {})[n] = fold
        print(
            f"  [{db_name}] {n:,} responses ({seconds:.1f} s to generate {n - have:,}, "
            f"{fold:.1f} s to count them into the result tallies)",
            flush=True,
        )
        have = n
        if "results" in sections and n in settings.results_sizes:
            figures += measure_results(app, db_name, n, settings.results_views, version_id, org_ids)
            have += 3 * settings.results_views * ARRIVALS
        if "exports" in sections and n in settings.export_sizes:
            with app.app_context():
                from app.extensions import db

                db.engine.dispose()
            figures += measure_exports(db_name, n, env, folder, settings)
    with app.app_context():
        from app.extensions import db

        db.engine.dispose()
    return details
