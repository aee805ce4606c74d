"""What the runner starts: a scratch folder, a throwaway PostgreSQL 15 cluster, gunicorn.

Everything listens on 127.0.0.1 or a unix socket in the scratch folder, and everything started
registers its own stop with `Cleanup`, which runs in `finally` and at exit (and on SIGTERM).
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


class Cleanup:
    """Stops what was started, last first, exactly once (finally, atexit or SIGTERM)."""

    def __init__(self):
        self._steps: list[tuple[str, Callable[[], None]]] = []
        atexit.register(self.run)
        signal.signal(signal.SIGTERM, self._on_signal)

    def add(self, name: str, step: Callable[[], None]) -> Callable[[], None]:
        self._steps.append((name, step))
        return step

    def now(self, step: Callable[[], None]) -> None:
        """Run one registered step early (e.g. stop gunicorn between measurements)."""
        for i, (_name, registered) in enumerate(self._steps):
            if registered is step:
                del self._steps[i]
                step()
                return

    def run(self) -> None:
        while self._steps:
            name, step = self._steps.pop()
            try:
                step()
            except Exception as error:  # keep stopping the rest
                print(f"cleanup of {name} failed: {error}", file=sys.stderr)

    @staticmethod
    def _on_signal(_signum, _frame):
        raise SystemExit(143)


def scratch_dir(cleanup: Cleanup) -> Path:
    path = Path(tempfile.mkdtemp(prefix="wwwelzijn-bench-"))
    path.chmod(0o755)  # the postgres user reads its socket folder inside
    cleanup.add("scratch folder", lambda: shutil.rmtree(path, ignore_errors=True))
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout:.0f} s")


def stop_process(process: subprocess.Popen, timeout: float = 10.0) -> None:
    """SIGTERM, then SIGKILL after `timeout`, of one process we started (and its group)."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(5)


# -- PostgreSQL ---------------------------------------------------------------------------


def _as_postgres(args: list[str]) -> list[str]:
    """As root, PostgreSQL's tools run as the postgres user (like scripts/test)."""
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


class PostgresCluster:
    """A throwaway PostgreSQL 15 cluster on a unix socket only (listen_addresses='')."""

    def __init__(self, folder: Path, cleanup: Cleanup):
        if not (PG_BIN / "initdb").exists():
            raise RuntimeError(f"PostgreSQL 15 not found in {PG_BIN} (apt-get install postgresql-15)")
        self.folder = folder / "pg"
        self.folder.mkdir()
        self.folder.chmod(0o755)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
        data = self.folder / "data"
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE, "timeout": 120, "check": True}
        subprocess.run(
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
            ),
            **quiet,
        )
        # Durable commits as in production (fsync stays on); no TCP listener at all.
        options = f"-c listen_addresses='' -k {self.folder} -c max_connections=100 -c shared_buffers=128MB"
        subprocess.run(
            _as_postgres(
                [
                    str(PG_BIN / "pg_ctl"),
                    "-D",
                    str(data),
                    "-l",
                    str(self.folder / "log"),
                    "-w",
                    "-t",
                    "60",
                    "-o",
                    options,
                    "start",
                ]
            ),
            **quiet,
        )
        self.data = data
        cleanup.add("PostgreSQL cluster", self.stop)

    def stop(self) -> None:
        subprocess.run(
            _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"]),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=60,
            check=False,
        )

    def create_database(self, name: str) -> str:
        """A new database; returns its SQLAlchemy URL (psycopg 3, unix socket)."""
        subprocess.run(
            [str(PG_BIN / "createdb"), "-h", str(self.folder), "-U", "postgres", name],
            check=True,
            timeout=60,
            stdout=subprocess.DEVNULL,
        )
        return f"postgresql+psycopg://postgres@/{name}?host={self.folder}"


def sqlite_url(folder: Path, name: str) -> str:
    return f"sqlite:///{folder / name}.sqlite"


# -- the app ------------------------------------------------------------------------------


def app_env(database_url: str, secret_key: str, folder: Path, **extra: str) -> dict:
    """The environment of a production-like app process on `database_url`."""
    env = {
        **os.environ,
        "APP_ENV": "production",
        "SECRET_KEY": secret_key,
        "SESSION_COOKIE_SECURE": "0",
        "LOG_LEVEL": "WARNING",
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(folder / "instance"),
        "MAIL_TRANSPORT": "file",
        "MAIL_FILE_DIR": str(folder / "mail"),
        "PYTHONPATH": str(ROOT),
        **extra,
    }
    env.pop("TEST_DATABASE_URL", None)
    return env


def upgrade_database(env: dict) -> None:
    """Build the schema with the migrations, as an operator would."""
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade", "heads"],
        env=env,
        cwd=ROOT,
        check=True,
        timeout=300,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) used so far by process `pid` and its children (Linux /proc)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue  # gone meanwhile
        # after the command: state ppid ... utime(12) stime(13), counted from the state field
        if int(entry.name) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return total


class Gunicorn:
    """gunicorn -w 2 -b 127.0.0.1:PORT <app>, with its error log in the scratch folder."""

    def __init__(self, app: str, env: dict, cleanup: Cleanup, log: Path, workers: int = 2):
        self.port = free_port()
        self.log = log
        with open(log, "ab") as err:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{self.port}", app],
                env=env,
                cwd=ROOT,
                start_new_session=True,
                stdout=subprocess.DEVNULL,
                stderr=err,
            )
        self.stop = cleanup.add(f"gunicorn {app}", lambda: stop_process(self.process))
        wait_for_port(self.port, self.process)

    def cpu_seconds(self) -> float:
        return tree_cpu_seconds(self.process.pid)
