"""Load without loss: concurrent respondents answer a questionnaire while gunicorn workers are killed.

    .venv/bin/python bench/load.py                # SQLite and PostgreSQL 15, 300 s each
    .venv/bin/python bench/load.py --quick --db sqlite
    .venv/bin/python bench/load.py --anonymity anonymous --quick

Per database: a throwaway database (a temporary SQLite file, or a PostgreSQL 15 cluster of its
own on a unix socket), the schema through `flask db upgrade`, the questionnaire of
bench/load-survey.yaml with one invitation per simulated respondent and round, and
`gunicorn -w 3 -b 127.0.0.1:PORT wsgi:app` in production mode. `--clients` respondents (in
`--processes` client processes) answer every page and submit, one fresh invitation after
another, for `--duration` seconds, each with a unique marker in a free-text answer; every
`--kill-every` seconds one worker gets `kill -9`. Afterwards the database must show every
acknowledged submit stored exactly once, every invitation finished if and only if its response
is there, no HTTP 500 and no "database is locked" in the server log. Prints throughput and
p50/p95/p99 per request kind, writes JSON to bench-results/, exits 1 when a check fails.
Everything is bounded: at most 3600 s, 200 respondents, and a fixed pool of invitations.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import multiprocessing
import os
import re
import secrets
import shutil
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the project (app, config)

from load_client import run_client_process
from load_servers import (
    PROJECT_ROOT,
    Gunicorn,
    WorkerKiller,
    postgresql,
    server_environment,
    upgrade_schema,
)

GRACE = 60  # seconds after the duration for respondents to finish the questionnaire they are in
LOCKED = "database is locked"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--duration", type=int, default=300, help="seconds of load per database")
    parser.add_argument("--quick", action="store_true", help="30 s per database (for development)")
    parser.add_argument("--clients", type=int, default=50, help="concurrent respondents")
    parser.add_argument("--processes", type=int, default=5, help="client processes")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--kill-every", type=float, default=20, help="seconds between worker kills; 0: none")
    parser.add_argument(
        "--anonymity", choices=("pseudonymous", "identified", "anonymous"), default="pseudonymous"
    )
    parser.add_argument(
        "--invitations",
        type=int,
        default=0,
        help="invitations per respondent (default: enough for the duration)",
    )
    parser.add_argument(
        "--busy-timeout-ms",
        type=int,
        default=0,
        help="SQLite busy timeout of the servers (default: the app's 5000); a tiny one "
        "forces 'database is locked' to test the 503 path, which then is no failure",
    )
    parser.add_argument("--out", default=str(PROJECT_ROOT / "bench-results"))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.quick:
        args.duration = 30
    args.duration = max(5, min(args.duration, 3600))
    args.clients = max(1, min(args.clients, 200))
    args.processes = max(1, min(args.processes, args.clients, 16))
    args.invitations = args.invitations or max(10, math.ceil(args.duration * 0.6))
    args.invitations = min(args.invitations, 2000)
    return args


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def request_stats(records: list[tuple], elapsed: float) -> dict:
    by_kind: dict[str, list] = defaultdict(list)
    for kind, status, seconds, _at in records:
        by_kind[kind].append((status, seconds))
    stats = {}
    for kind, items in by_kind.items():
        done = [seconds * 1000 for status, seconds in items if status]
        stats[kind] = {
            "count": len(items),
            "per_s": round(len(items) / elapsed, 2),
            "statuses": dict(Counter(str(status) for status, _s in items)),
            "p50_ms": round(percentile(done, 0.50), 1),
            "p95_ms": round(percentile(done, 0.95), 1),
            "p99_ms": round(percentile(done, 0.99), 1),
        }
    return stats


def log_findings(text: str) -> dict:
    lines = text.splitlines()
    return {
        "database_is_locked": sum(LOCKED in line for line in lines),
        "tracebacks": sum(line.startswith("Traceback") for line in lines),
        "unhandled_errors": sum("unhandled error" in line for line in lines),
        "busy_503": sum("database busy" in line for line in lines),
        "worker_kills_seen": len(re.findall(r"was sent SIGKILL", text)),
        "worker_boots": len(re.findall(r"Booting worker with pid", text)),
    }


def run_clients(args, port: int, invitations: list[tuple[int, str]], run_id: str):
    """Run the respondents in client processes: (request records, outcomes, stuck threads, exhausted)."""
    per = args.invitations
    assignments = [invitations[i * per : (i + 1) * per] for i in range(args.clients)]
    groups = [assignments[p :: args.processes] for p in range(args.processes)]
    deadline = time.time() + args.duration
    hard_deadline = deadline + GRACE
    context = multiprocessing.get_context("spawn")
    with context.Pool(args.processes) as pool:
        jobs = [
            pool.apply_async(
                run_client_process, (port, group, run_id, deadline, hard_deadline, args.seed * 100 + p + 1)
            )
            for p, group in enumerate(groups)
        ]
        results = [job.get(timeout=args.duration + GRACE + 180) for job in jobs]
    records = [r for result in results for r in result["records"]]
    outcomes = [o for result in results for o in result["outcomes"]]
    return (
        records,
        outcomes,
        sum(result["stuck_threads"] for result in results),
        sum(result["exhausted"] for result in results),
    )


def run_one(args, database: str) -> dict:
    from load_check import seed, verify

    folder = Path(tempfile.mkdtemp(prefix="wwwelzijn-load."))
    run_id = secrets.token_hex(4)
    secret_key = secrets.token_urlsafe(48)
    report: dict = {
        "database": database,
        "anonymity": args.anonymity,
        "clients": args.clients,
        "client_processes": args.processes,
        "workers": args.workers,
        "duration_s": args.duration,
        "kill_every_s": args.kill_every,
        "run_id": run_id,
        "sqlite_busy_timeout_ms": args.busy_timeout_ms or "default",
        "started": datetime.now().isoformat(timespec="seconds"),
    }
    try:
        with postgresql(folder) if database == "postgresql" else sqlite_file(folder) as (url, db_log):
            env = server_environment(url, folder, secret_key)
            if args.busy_timeout_ms:
                env["SQLITE_BUSY_TIMEOUT_MS"] = str(args.busy_timeout_ms)
            upgrade_schema(env)
            count = args.clients * args.invitations
            survey_id, invitations = seed(url, secret_key, args.anonymity, count, run_id)
            server = Gunicorn(env, folder / "gunicorn.log", workers=args.workers)
            try:
                server.wait_until_serving()
                report["load_average_before"] = os.getloadavg()
                killer = WorkerKiller(server, args.kill_every, args.seed) if args.kill_every > 0 else None
                if killer:
                    killer.start()
                started = time.monotonic()
                try:
                    records, outcomes, stuck, exhausted = run_clients(args, server.port, invitations, run_id)
                finally:
                    if killer:
                        killer.stop()
                elapsed = time.monotonic() - started
                report["load_average_after"] = os.getloadavg()
            finally:
                server.stop()
            log_text = server.log_path.read_text(errors="replace")
            report["server_log"] = log_findings(log_text)
            if db_log is not None and db_log.exists():
                pg_text = db_log.read_text(errors="replace")
                report["postgresql_log"] = {
                    "errors": sum(" ERROR: " in line for line in pg_text.splitlines()),
                    "deadlocks": pg_text.count("deadlock detected"),
                }
            report["checks"] = verify(url, secret_key, survey_id, run_id, args.anonymity, outcomes)
        report["elapsed_s"] = round(elapsed, 1)
        report["kills"] = killer.kills if killer else []
        report["requests"] = request_stats(records, elapsed)
        report["stuck_client_threads"] = stuck
        report["respondents_out_of_invitations"] = exhausted
        _summarise(report, records, outcomes, elapsed)
    finally:
        if report.get("failures"):
            keep = Path(args.out) / f"load-{database}-{run_id}-gunicorn.log"
            keep.parent.mkdir(parents=True, exist_ok=True)
            if (folder / "gunicorn.log").exists():
                shutil.copy(folder / "gunicorn.log", keep)
        shutil.rmtree(folder, ignore_errors=True)
    return report


@contextlib.contextmanager
def sqlite_file(folder: Path):
    """A SQLite file in `folder`; yields (DATABASE_URL, no server log)."""
    yield f"sqlite:///{folder}/load.sqlite", None


def _summarise(report: dict, records: list, outcomes: list, elapsed: float) -> None:
    statuses = Counter(status for _k, status, _s, _a in records)
    cut = Counter(result for o in outcomes for result in o["cut_submits"])
    problems = Counter(re.sub(r"\d+", "N", p) for o in outcomes for p in o["problems"])
    checks = report["checks"]
    acknowledged = sum(1 for o in outcomes if o["acknowledged"])
    report["summary"] = {
        "submissions": sum(1 for kind, *_rest in records if kind == "submit"),
        "acknowledged": acknowledged,
        "stored": checks["stored"],
        "lost": checks["lost"],
        "duplicated": checks["duplicated"],
        "http_500": statuses.get(500, 0),
        "http_503": statuses.get(503, 0),
        "connections_cut": statuses.get(0, 0),
        "database_is_locked": report["server_log"]["database_is_locked"],
        "worker_kills": len(report["kills"]),
        "cut_submits": dict(cut),
        "requests_per_s": round(len(records) / elapsed, 1),
        "acknowledged_per_s": round(acknowledged / elapsed, 2),
        "respondents_gave_up": sum(1 for o in outcomes if not o["acknowledged"]),
    }
    report["client_problems"] = dict(problems.most_common(20))
    failures = []
    summary = report["summary"]
    forced_busy = report["sqlite_busy_timeout_ms"] != "default"
    for name in ("lost", "duplicated", "http_500", "database_is_locked"):
        if summary[name] and not (name == "database_is_locked" and forced_busy):
            failures.append(f"{name}: {summary[name]}")
    for name in (
        "finished_mismatches",
        "wrong_response_links",
        "responses_without_marker",
        "responses_with_several_markers",
    ):
        if checks[name]:
            failures.append(f"{name}: {checks[name]}")
    if cut.get("unresolved"):
        failures.append(f"cut submits never resolved: {cut['unresolved']}")
    if problems.get("thank-you before any submit"):
        failures.append("an invitation said thank-you before it was submitted")
    if report["server_log"]["unhandled_errors"] or report["server_log"]["tracebacks"]:
        failures.append("errors in the server log")
    if report["stuck_client_threads"]:
        failures.append(f"client threads still running: {report['stuck_client_threads']}")
    if summary["respondents_gave_up"]:
        failures.append(f"respondents gave up: {summary['respondents_gave_up']}")
    if report["kill_every_s"] and not report["kills"]:
        failures.append("no worker was killed")
    report["failures"] = failures


def print_report(report: dict) -> None:
    s = report["summary"]
    print(
        f"\n== {report['database']} ({report['anonymity']}), {report['clients']} respondents in "
        f"{report['client_processes']} processes, gunicorn -w {report['workers']}, "
        f"{report['elapsed_s']} s, kill -9 a worker every {report['kill_every_s']:g} s =="
    )
    print(f"{'request':<12}{'count':>8}{'per s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}  statuses")
    for kind in ("start", "start-post", "page", "save", "summary", "submit", "thanks"):
        r = report["requests"].get(kind)
        if r:
            print(
                f"{kind:<12}{r['count']:>8}{r['per_s']:>8}{r['p50_ms']:>9}{r['p95_ms']:>9}{r['p99_ms']:>9}"
                f"  {r['statuses']}"
            )
    print(
        f"submissions {s['submissions']}, acknowledged {s['acknowledged']}, stored {s['stored']}, "
        f"lost {s['lost']}, duplicated {s['duplicated']}"
    )
    print(
        f"HTTP 500: {s['http_500']}, 503: {s['http_503']}, connections cut: {s['connections_cut']}, "
        f'"database is locked" lines: {s["database_is_locked"]}'
    )
    print(
        f"worker kills: {s['worker_kills']} (gunicorn saw {report['server_log']['worker_kills_seen']}); "
        f"submits cut by a kill: {s['cut_submits'] or 'none'}"
    )
    print(
        f"invitations: finished <=> one response with its marker: "
        f"{report['checks']['finished_mismatches']} mismatches, "
        f"{report['checks']['wrong_response_links']} wrong response links"
    )
    print(
        f"throughput: {s['requests_per_s']} requests/s, {s['acknowledged_per_s']} acknowledged submits/s; "
        f"load average {report['load_average_before'][0]:.2f} -> {report['load_average_after'][0]:.2f}"
    )
    print("RESULT:", "ok" if not report["failures"] else "FAILED: " + "; ".join(report["failures"]))


def main(argv=None) -> int:
    args = parse_args(argv)
    databases = ("sqlite", "postgresql") if args.db == "both" else (args.db,)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    failed = False
    for database in databases:
        report = run_one(args, database)
        print_report(report)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        path = out / f"load-{database}-{args.anonymity}-{stamp}.json"
        path.write_text(json.dumps(report, indent=2, default=str))
        print(f"written: {path}")
        failed = failed or bool(report["failures"])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
