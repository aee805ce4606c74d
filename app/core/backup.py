"""`flask --app wsgi backup OUT` and `flask --app wsgi restore IN`.

SQLite: the online backup API copies a consistent snapshot while the site keeps writing, and
restores the same way (page by page into the live file, under SQLite's locks).
PostgreSQL: `pg_dump --format=custom` (a consistent snapshot) and `pg_restore --clean`.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy.engine import make_url

from app.extensions import db


def _pg_tool(name: str) -> str:
    folder = current_app.config.get("PG_BIN_DIR")
    candidates = [Path(folder) / name] if folder else []
    candidates.append(Path("/usr/lib/postgresql/15/bin") / name)
    for candidate in candidates:
        if candidate.exists():
            return str(candidate)
    found = shutil.which(name)
    if not found:
        raise click.ClickException(f"{name} not found: install the PostgreSQL client or set PG_BIN_DIR")
    return found


def _libpq_url() -> str:
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _sqlite_path() -> str:
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).database


def _run(args: list[str]) -> None:
    try:
        subprocess.run(args, check=True, capture_output=True, text=True)  # noqa: S603 - our own tool paths
    except subprocess.CalledProcessError as error:
        message = (error.stderr or "").strip().splitlines()
        raise click.ClickException(
            f"{Path(args[0]).name} failed: {message[-1] if message else error}"
        ) from None


def backup(out: str) -> str:
    """Write a consistent copy of the database to `out`; returns the kind ("sqlite"/"postgresql")."""
    dialect = db.engine.dialect.name
    if dialect == "sqlite":
        source = sqlite3.connect(_sqlite_path(), timeout=30)
        target = sqlite3.connect(out)
        try:
            with target:
                source.backup(target, pages=1024)
        finally:
            target.close()
            source.close()
        return dialect
    if dialect == "postgresql":
        _run(
            [
                _pg_tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                f"--file={out}",
                f"--dbname={_libpq_url()}",
            ]
        )
        return dialect
    raise click.ClickException(f"backups of {dialect} databases are not supported")


def restore(source_file: str) -> str:
    """Replace the database's contents with the backup in `source_file`."""
    if not os.path.exists(source_file):
        raise click.ClickException(f"{source_file} does not exist")
    dialect = db.engine.dialect.name
    db.session.remove()
    db.engine.dispose()
    if dialect == "sqlite":
        source = sqlite3.connect(source_file)
        try:
            check = source.execute("PRAGMA integrity_check").fetchone()[0]
            if check != "ok":
                raise click.ClickException(f"{source_file} is damaged: {check}")
            target = sqlite3.connect(_sqlite_path(), timeout=30)
            try:
                with target:
                    source.backup(target)
            finally:
                target.close()
        except sqlite3.DatabaseError as error:
            raise click.ClickException(f"{source_file} is not a SQLite backup: {error}") from None
        finally:
            source.close()
        return dialect
    if dialect == "postgresql":
        _run(
            [
                _pg_tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                f"--dbname={_libpq_url()}",
                source_file,
            ]
        )
        return dialect
    raise click.ClickException(f"restoring {dialect} databases is not supported")


def init_app(app: Flask) -> None:
    @app.cli.command("backup")
    @click.argument("out")
    def backup_command(out: str) -> None:
        """Write a consistent backup of the database to OUT while the site runs."""
        kind = backup(out)
        click.echo(f"{kind} backup written to {out} ({os.path.getsize(out)} bytes)")

    @app.cli.command("restore")
    @click.argument("source")
    @click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
    def restore_command(source: str, yes: bool) -> None:
        """Replace the database with the backup in SOURCE (asks first)."""
        if not yes:
            click.confirm("This replaces everything in the database. Continue?", abort=True)
        kind = restore(source)
        click.echo(f"{kind} database restored from {source}")
