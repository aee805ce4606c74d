"""Fixtures for running the real commands (gunicorn, `flask jobs run`) as separate processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SECRET_KEY = "ops-tests-shared-secret-key-0123456789abcdef"  # the servers must share it


@pytest.fixture
def process_env(database_uri, tmp_path):
    """The environment of a production-like process on the test database (as config.py reads it)."""

    def build(**extra: str | int) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if key in {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "PYTHONPATH"}
        }
        env.update(
            APP_ENV="development",
            DATABASE_URL=database_uri,
            SECRET_KEY=SECRET_KEY,
            INSTANCE_PATH=str(tmp_path / "instance"),
            MAIL_TRANSPORT="file",
            MAIL_FILE_DIR=str(tmp_path / "mail"),
            LOG_LEVEL="WARNING",
            PYTHONUNBUFFERED="1",
        )
        env.update({key: str(value) for key, value in extra.items()})
        return env

    return build


@pytest.fixture
def start_process(tmp_path):
    """Start a command from the project root; every process still running is killed at the end."""
    processes: list[subprocess.Popen] = []

    def start(args: list[str], env: dict[str, str], log_name: str) -> subprocess.Popen:
        log = open(tmp_path / log_name, "wb")  # noqa: SIM115 - closed with the process below
        process = subprocess.Popen(
            args, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
        process.log_path = tmp_path / log_name
        process.log_file = log
        processes.append(process)
        return process

    yield start
    for process in processes:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        process.log_file.close()


def output_of(process: subprocess.Popen) -> str:
    process.log_file.flush()
    return process.log_path.read_text(errors="replace")


def is_postgresql(database_uri: str) -> bool:
    return database_uri.startswith("postgresql")
