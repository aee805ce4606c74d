"""Backup while the site writes, restore into a fresh database, compare."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from app.core import backup as backup_module
from app.extensions import db
from app.organisations.models import Organisation
from app.organisations.services import save_organisation

BATCH = 10


def _fresh_database_uri(database_uri: str, tmp_path) -> tuple[str, callable]:
    url = make_url(database_uri)
    if url.get_backend_name() == "sqlite":
        return f"sqlite:///{tmp_path}/restored.sqlite", lambda: None
    name = f"restore_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url.set(database=name).render_as_string(hide_password=False), drop


def _writer(app, stop: threading.Event, written: list[int]) -> None:
    with app.app_context():
        batch = 0
        while not stop.is_set() and batch < 500:
            for i in range(BATCH):
                save_organisation(None, f"Schrijver {batch:04d}-{i}", "caw", "limburg", None)
            db.session.commit()
            batch += 1
            written.append(batch)
        db.session.remove()


def test_backup_under_writes_restores_a_consistent_copy(make_app, make_user, database_uri, tmp_path):
    app = make_app()
    with app.app_context():
        make_user(role="admin", email="beheer@example.org")
        for n in range(5):
            save_organisation(None, f"Vast {n}", "clb", "brussel", f"vast{n}@example.org")
        db.session.commit()

    stop, written = threading.Event(), []
    writer = threading.Thread(target=_writer, args=(make_app(), stop, written))
    writer.start()
    try:
        while len(written) < 3:
            threading.Event().wait(0.01)
        out = str(tmp_path / "backup.bin")
        with app.app_context():
            kind = backup_module.backup(out)
    finally:
        stop.set()
        writer.join(timeout=60)
    assert kind == make_url(database_uri).get_backend_name()

    with app.app_context():
        source_rows = {
            o.name: (o.service_type, o.region, o.contact_email)
            for o in db.session.scalars(select(Organisation))
        }
    restored_uri, drop = _fresh_database_uri(database_uri, tmp_path)
    try:
        restored = make_app(SQLALCHEMY_DATABASE_URI=restored_uri)
        with restored.app_context():
            backup_module.restore(out)
            rows = {
                o.name: (o.service_type, o.region, o.contact_email)
                for o in db.session.scalars(select(Organisation))
            }
            users = db.session.scalar(select(func.count()).select_from(db.metadata.tables["users"]))
            db.session.remove()
            db.engine.dispose()
    finally:
        drop()

    writer_rows = [name for name in rows if name.startswith("Schrijver")]
    # A consistent snapshot holds whole transactions only, and at least what was committed before.
    assert len(writer_rows) % BATCH == 0
    assert len(writer_rows) >= 2 * BATCH
    assert users == 1
    for name, values in rows.items():
        assert source_rows[name] == values
    assert {f"Vast {n}" for n in range(5)} <= set(rows)


def test_restore_refuses_a_file_that_is_not_a_backup(app, tmp_path):
    bogus = tmp_path / "bogus.bin"
    bogus.write_bytes(b"not a database at all" * 100)
    import click

    with pytest.raises(click.ClickException):
        backup_module.restore(str(bogus))
