"""Fixtures for running the real commands (gunicorn, `flask jobs run`) as separate processes."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SECRET_KEY = "ops-tests-shared-secret-key-0123456789abcdef"  # the servers must share it


def process_environment(database_uri: str, folder: Path, **extra: str | int) -> dict[str, str]:
    """The environment of a production-like process on the test database (as config.py reads it)."""
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "TMPDIR") if key in os.environ}
    env.update(
        APP_ENV="development",
        DATABASE_URL=database_uri,
        SECRET_KEY=SECRET_KEY,
        INSTANCE_PATH=str(folder / "instance"),
        MAIL_TRANSPORT="file",
        MAIL_FILE_DIR=str(folder / "mail"),
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    env.update({key: str(value) for key, value in extra.items()})
    return env


class Processes:
    """Commands started from the project root, each logging to a file; `stop()` ends them all."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.running: list[subprocess.Popen] = []

    def start(self, args: list[str], env: dict[str, str], log_name: str) -> subprocess.Popen:
        log = open(self.folder / log_name, "wb")  # noqa: SIM115 - closed in stop()
        process = subprocess.Popen(
            args, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
        process.log_path, process.log_file = self.folder / log_name, log
        self.running.append(process)
        return process

    def stop(self) -> None:
        for process in self.running:
            if process.poll() is None:
                # SIGINT: gunicorn's quick shutdown (SIGTERM waits for the graceful timeout).
                process.send_signal(signal.SIGINT)
        for process in self.running:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
            process.log_file.close()


@contextlib.contextmanager
def processes(folder: Path):
    group = Processes(folder)
    try:
        yield group
    finally:
        group.stop()


@pytest.fixture
def process_env(database_uri, tmp_path):
    def build(**extra: str | int) -> dict[str, str]:
        return process_environment(database_uri, tmp_path, **extra)

    return build


@pytest.fixture
def start_process(tmp_path):
    """Start a command; every process still running is stopped at the end of the test."""
    with processes(tmp_path) as group:
        yield group.start


def output_of(process: subprocess.Popen) -> str:
    process.log_file.flush()
    return process.log_path.read_text(errors="replace")


def is_postgresql(database_uri: str) -> bool:
    return database_uri.startswith("postgresql")
