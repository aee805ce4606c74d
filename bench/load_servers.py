"""What the load test runs against: a throwaway database, gunicorn, and the worker killer.

Everything listens on 127.0.0.1 or a unix socket in a temporary folder and is stopped at the end.
PostgreSQL 15 is a cluster of its own (initdb in the folder; as root through `runuser -u postgres`,
as in scripts/test), so nothing touches a database that is already there.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
START_TIMEOUT = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run(args: list[str], check: bool = True, **kwargs) -> None:
    """Run one of our own fixed commands (no shell, no outside input), quietly."""
    kwargs.setdefault("stdout", subprocess.DEVNULL)
    if not check:
        kwargs.setdefault("stderr", subprocess.DEVNULL)
    subprocess.run(args, check=check, **kwargs)  # noqa: S603


def _as_postgres(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


@contextlib.contextmanager
def postgresql(folder: Path):
    """A PostgreSQL 15 cluster on a unix socket in `folder`; yields the DATABASE_URL."""
    if not (PG_BIN / "initdb").exists():
        raise SystemExit(f"PostgreSQL 15 not found in {PG_BIN} (set PG_BIN, or run scripts/test once)")
    pgdir = folder / "pg"
    pgdir.mkdir()
    pgdir.chmod(0o755)
    folder.chmod(0o755)
    if os.geteuid() == 0:
        shutil.chown(pgdir, "postgres")
    data = pgdir / "data"
    options = f"-c listen_addresses='' -k {pgdir} -c max_connections=100"
    _run(
        _as_postgres(
            [
                str(PG_BIN / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ]
        )
    )
    _run(
        _as_postgres(
            [str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(pgdir / "log"), "-w", "-o", options, "start"]
        )
    )
    try:
        _run([str(PG_BIN / "createdb"), "-h", str(pgdir), "-U", "postgres", "load"])
        yield f"postgresql://postgres@/load?host={pgdir}", pgdir / "log"
    finally:
        _run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]), check=False)


def server_environment(database_url: str, folder: Path, secret_key: str) -> dict[str, str]:
    """A production environment (as config.py reads it) on the test database."""
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "TMPDIR") if key in os.environ}
    env.update(
        APP_ENV="production",
        SECRET_KEY=secret_key,
        SESSION_COOKIE_SECURE="0",  # plain http on 127.0.0.1
        DATABASE_URL=database_url,
        INSTANCE_PATH=str(folder / "instance"),
        MAIL_TRANSPORT="file",
        MAIL_FILE_DIR=str(folder / "mail"),
        BASE_URL="http://127.0.0.1",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


def upgrade_schema(env: dict[str, str]) -> None:
    _run([str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"], cwd=PROJECT_ROOT, env=env)


class Gunicorn:
    """`gunicorn -w WORKERS -b 127.0.0.1:PORT wsgi:app`, logging to a file."""

    def __init__(self, env: dict[str, str], log_path: Path, workers: int = 3):
        self.port = free_port()
        self.log_path = log_path
        self._log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(  # noqa: S603 - our own fixed command
            [str(BIN / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{self.port}", "wsgi:app"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        self.workers = workers

    def wait_until_serving(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited:\n{self.log_tail()}")
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            try:
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200 and len(self.worker_pids()) == self.workers:
                    return
            except OSError:
                pass
            finally:
                connection.close()
            time.sleep(0.2)
        raise SystemExit(f"gunicorn did not answer within {START_TIMEOUT} s:\n{self.log_tail()}")

    def worker_pids(self) -> list[int]:
        """The master's children (its workers), from /proc."""
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The command name is in parentheses and may hold spaces: the ppid follows the last ")".
            if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                pids.append(int(entry.name))
        return pids

    def log_text(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._log.close()


class WorkerKiller(threading.Thread):
    """`kill -9` one gunicorn worker (picked at random) every `every` seconds until stopped."""

    def __init__(self, server: Gunicorn, every: float, seed: int):
        super().__init__(daemon=True)
        self.server, self.every = server, every
        self.rng = random.Random(seed)
        self.kills: list[dict] = []
        self._done = threading.Event()

    def run(self) -> None:
        started = time.monotonic()
        while not self._done.wait(self.every):
            workers = self.server.worker_pids()
            if not workers:
                continue
            pid = self.rng.choice(workers)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
                self.kills.append(
                    {"pid": pid, "at_s": round(time.monotonic() - started, 1), "workers_before": len(workers)}
                )

    def stop(self) -> None:
        self._done.set()
        self.join(timeout=5)
