# ruff: noqa: S603, S108 - a local benchmark: runs its own child processes, writes to /tmp
"""Benchmark: the results page, the findings board and every export format at N responses.

    .venv/bin/python bench/results_exports.py --responses 100000 [--db /tmp/bench.sqlite]

Generates N demo responses for surveys/herbevraging-2026.yaml into a SQLite file (kept, and
reused when it already holds N), then prints: page times through the test client (the median of
3 first views, each after 10 new responses the result-tallies job has not counted yet (it ran
before they came in), and of 5
repeats, served from the aggregate cache), and
per export format the time, rows/s, bytes and peak RSS of a child process doing only that export
(os.wait4 gives the rusage of that one child).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FORMATS = ("csv", "json", "xlsx", "sav", "dta", "codebook-csv", "r")
SLUG = "herbevraging-2026"


def make_app(db_path: str):
    from app import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}", "TESTING": True})


def prepare(app, n: int) -> None:
    from sqlalchemy import func, select

    from app.extensions import db
    from app.results.demo import generate_responses
    from app.surveys.loader import load_definition, load_findings
    from app.surveys.models import Response
    from app.surveys.versions import sync_definition

    with app.app_context():
        db.create_all()
        catalogue = load_findings(ROOT / "surveys" / "findings.yaml")
        version, _ = sync_definition(load_definition(ROOT / "surveys" / f"{SLUG}.yaml", catalogue))
        version.survey.results_public = True
        have = db.session.scalar(select(func.count()).where(Response.survey_id == version.survey_id))
        if have < n:
            started = time.perf_counter()
            generate_responses(version, n - have, seed=n)
            db.session.commit()
            print(f"generated {n - have} responses in {time.perf_counter() - started:.1f} s")
        from app.accounts.services import create_user, find_user_by_email

        if find_user_by_email("bench@example.org") is None:
            create_user("bench@example.org", "Bench", "researcher", "bench-password-123")
        db.session.commit()


def time_pages(app) -> None:
    from app.accounts.services import find_user_by_email
    from tests.helpers import login

    client = app.test_client()
    # the user itself: on a second run its authenticator app (set up by the first) is asked for
    login(client, find_user_by_email("bench@example.org"), "bench-password-123")
    urls = [
        f"/resultaten/{SLUG}",
        f"/resultaten/{SLUG}?soort_dienst=1&rij=regio&kolom=grootte",
        "/bevindingen",
    ]
    from app.extensions import db
    from app.results.demo import generate_responses
    from app.results.tallies import fold_all
    from app.surveys.models import Survey

    started = time.perf_counter()
    fold_all()  # the result-tallies job (every minute): counts what prepare() generated
    print(f"result tallies: job fold {time.perf_counter() - started:.1f} s")
    survey = db.session.query(Survey).filter_by(slug=SLUG).one()
    for url in urls:
        client.get(url)  # templates compiled, catalogue loaded
        first, repeats = [], []
        for i in range(3):
            # the job has run (every minute), then 10 new responses, not counted yet: a new stamp
            fold_all()
            generate_responses(survey.current_version, 10, seed=hash((url, i)) % 10**9)
            db.session.commit()
            started = time.perf_counter()
            status = client.get(url).status_code
            first.append(time.perf_counter() - started)
        for _ in range(5):
            started = time.perf_counter()
            client.get(url)
            repeats.append(time.perf_counter() - started)
        print(
            f"page {url:<60} {status}  first view p50 {statistics.median(first):6.3f} s"
            f"  cached p50 {statistics.median(repeats):6.3f} s"
        )


CHILD = """
import sys, time
sys.path.insert(0, {root!r})
from app import create_app
from app.exports import services
app = create_app({{"SQLALCHEMY_DATABASE_URI": "sqlite:///{db}"}})
with app.app_context():
    survey = services.get_survey({slug!r})
    started = time.perf_counter()
    services.export_file(survey, {fmt!r}, {out!r})
    print(time.perf_counter() - started)
"""


def time_exports(db_path: str, n: int, out_dir: Path) -> None:
    print(f"{'format':<14}{'seconds':>9}{'rows/s':>10}{'MB':>9}{'peak RSS MB':>13}")
    for fmt in FORMATS:
        out = out_dir / f"bench.{fmt}"
        code = CHILD.format(root=str(ROOT), db=db_path, slug=SLUG, fmt=fmt, out=str(out))
        proc = subprocess.Popen(
            [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
        output = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = status
        if status != 0:
            print(f"{fmt:<14} failed")
            continue
        seconds = float(output.decode().strip().splitlines()[-1])
        size = out.stat().st_size / 1e6
        rate = n / seconds if not fmt.startswith(("codebook", "r")) else float("nan")
        print(f"{fmt:<14}{seconds:9.1f}{rate:10.0f}{size:9.1f}{usage.ru_maxrss / 1024:13.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--db", default=None)
    parser.add_argument("--out", default="/tmp")
    args = parser.parse_args()
    db_path = args.db or f"/tmp/wwwelzijn-bench-{args.responses}.sqlite"
    app = make_app(db_path)
    prepare(app, args.responses)
    with app.app_context():
        time_pages(app)
    time_exports(db_path, args.responses, Path(args.out))


if __name__ == "__main__":
    main()
