"""The benchmark runner: `.venv/bin/python bench/run.py [--db sqlite|postgresql|both] [--quick] [--only ...]`.

Starts what it needs on 127.0.0.1 only (a scratch SQLite file, a throwaway PostgreSQL 15 cluster on
a unix socket, gunicorn), bounds every loop in count and time, stops everything it started, prints
a table and writes the figures to bench-results/<timestamp>.json. Each timed figure is the median
of at least 3 runs with min and max, and carries the load average taken when it was measured.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make `bench` and `app` importable
    sys.path.insert(0, str(ROOT))

from bench import servers  # noqa: E402
from bench.measure import Figure, figures_table, loadavg  # noqa: E402

SECTIONS = ("flow", "results", "exports")


@dataclass(frozen=True)
class Settings:
    runs: int = 3
    clients: int = 8
    flow_seconds: float = 20.0
    invitations_per_run: int = 6000  # links per 20 s run: more than 300 submissions/s would need
    raw_seconds: float = 10.0
    raw_max: int = 200_000
    results_sizes: tuple[int, ...] = (1_000, 10_000, 100_000)
    results_views: int = 3  # first views (cache emptied) per size; cached views: at least 5
    export_sizes: tuple[int, ...] = (10_000, 100_000)
    export_formats: tuple[str, ...] = ("csv", "xlsx", "sav", "dta", "json")
    export_timeout: float = 900.0


FULL = Settings()
QUICK = Settings(
    flow_seconds=3.0,
    invitations_per_run=1500,
    raw_seconds=1.0,
    results_sizes=(100, 1_000),
    results_views=3,
    export_sizes=(1_000, 2_000),
    export_timeout=300.0,
)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--quick", action="store_true", help="short runs and small n (CI smoke)")
    parser.add_argument(
        "--only", choices=SECTIONS, action="append", help="run only this section (repeatable); default: all"
    )
    parser.add_argument("--out", default=str(ROOT / "bench-results"), help="folder of the JSON files")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    settings = QUICK if args.quick else FULL
    sections = args.only or list(SECTIONS)
    databases = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    started_at = time.strftime("%Y%m%d-%H%M%S")
    report = {
        "started_at": started_at,
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "quick": args.quick,
        "settings": asdict(settings),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "loadavg_at_start": loadavg(),
        },
        "figures": [],
        "details": {},
    }
    figures: list[Figure] = []
    cleanup = servers.Cleanup()
    try:
        folder = servers.scratch_dir(cleanup)
        os.environ["INSTANCE_PATH"] = str(folder / "instance")  # the in-process apps write here
        cluster = None
        for db_name in databases:
            if db_name == "postgresql" and cluster is None:
                cluster = servers.PostgresCluster(folder, cleanup)
            # results and exports share one growing dataset
            groups = [[s] for s in sections if s == "flow"]
            groups += [[s for s in sections if s != "flow"]] if set(sections) - {"flow"} else []
            for group in groups:
                name = "+".join(group)
                print(f"== {db_name}: {name}", flush=True)
                section_started = time.monotonic()
                database = "flow" if group == ["flow"] else "data"
                url = (
                    cluster.create_database(f"bench_{database}")
                    if db_name == "postgresql"
                    else servers.sqlite_url(folder, database)
                )
                details = run_group(group, db_name, url, folder, cleanup, settings, figures)
                report["details"][f"{db_name}/{name}"] = details
                print(f"   ({time.monotonic() - section_started:.0f} s)", flush=True)
    finally:
        cleanup.run()
        report["figures"] = [f.as_dict() for f in figures]
        report["machine"]["loadavg_at_end"] = loadavg()
        if figures:
            print()
            print(figures_table(figures))
            out = Path(args.out)
            out.mkdir(parents=True, exist_ok=True)
            path = out / f"{started_at}.json"
            path.write_text(json.dumps(report, indent=1, default=str))
            print(f"\nFigures written to {path}", flush=True)
    return 0


def run_group(group: list[str], db_name: str, url: str, folder: Path, cleanup, settings: Settings, figures):
    """Run one section (or results + exports on one dataset), adding to `figures` as it measures."""
    if group == ["flow"]:
        from bench import flow

        return flow.run(db_name, url, folder, cleanup, settings, figures)
    from bench import data

    return data.run(db_name, url, folder, cleanup, settings, group, figures)


if __name__ == "__main__":
    sys.exit(main())
