"""Shared fixtures: the app on SQLite or PostgreSQL (TEST_DATABASE_URL), clients, factories,
a real SMTP server, a live server for the browser tests."""

from __future__ import annotations

import contextvars
import os
import threading
from email import message_from_bytes, policy

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from jinja2 import BytecodeCache
from sqlalchemy import text

from app import create_app
from app.extensions import db
from config import TestingConfig, database_url
from tests.helpers import Browserless, free_port


def _database_uri(tmp_root) -> str:
    url = database_url(os.environ.get("TEST_DATABASE_URL"))
    if url:
        return url
    return f"sqlite:///{tmp_root}/test.sqlite"


@pytest.fixture(scope="session")
def database_uri(tmp_path_factory):
    """One database for the whole run; tables are created once and emptied after each test."""
    uri = _database_uri(tmp_path_factory.mktemp("db"))
    app = create_app({**_test_settings(), "SQLALCHEMY_DATABASE_URI": uri})
    with app.app_context():
        db.drop_all()
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()
        db.session.remove()
        db.engine.dispose()
    return uri


def _test_settings() -> dict:
    return {k: getattr(TestingConfig, k) for k in dir(TestingConfig) if k.isupper()}


def _empty_tables(app) -> None:
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())


class _SharedBytecodeCache(BytecodeCache):
    """Compiled templates shared by the apps of one run (compiling them for each app doubled the
    suite's time). Keyed by Jinja on template name and source checksum."""

    def __init__(self):
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.store:
            bucket.bytecode_from_string(self.store[bucket.key])

    def dump_bytecode(self, bucket):
        self.store[bucket.key] = bucket.bytecode_to_string()


TEMPLATE_CACHE = _SharedBytecodeCache()


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in its own application context, as on a server.

    The `app` fixture keeps a context pushed for the test's own code, and Flask reuses a pushed
    context for requests: `g` (Flask-Login's current user) and the database session would leak
    from one request into the next, and a second client would be signed in as the first. The
    test's session is committed first, so that the request sees what the test set up, and its
    next query sees what the request did.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            db.session.commit()
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def make_app(database_uri, tmp_path):
    """Build apps on the test database; emptied after the test."""
    apps = []

    def factory(**overrides):
        settings = {
            **_test_settings(),
            "SQLALCHEMY_DATABASE_URI": database_uri,
            "MAIL_FILE_DIR": str(tmp_path / "mail"),
            **overrides,
        }
        application = create_app(settings)
        application.test_client_class = IsolatedClient
        application.jinja_env.bytecode_cache = TEMPLATE_CACHE
        apps.append(application)
        return application

    yield factory
    if apps:
        _empty_tables(apps[0])
        for application in apps:
            with application.app_context():
                db.session.remove()
                db.engine.dispose()


@pytest.fixture
def app(make_app):
    application = make_app()
    with application.app_context():
        yield application
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def forms(client):
    return Browserless(client)


@pytest.fixture
def make_user(app):
    """Create a user: make_user(role="admin", email=..., password=..., two_factor=...).

    Admins and researchers get a set-up authenticator app unless `two_factor=False`
    (`tests.helpers.login` then answers the second step); `two_factor=True` gives members one.
    """
    import pyotp

    from app.accounts.services import create_user
    from app.twofactor.services import save_credential

    counter = iter(range(1, 10_000))

    def factory(role="member", email=None, name=None, password="correct horse battery", two_factor=None):
        n = next(counter)
        user = create_user(email or f"user{n}@example.org", name or f"Gebruiker {n}", role, password)
        if two_factor if two_factor is not None else user.is_staff:
            save_credential(user, pyotp.random_base32())
        db.session.commit()
        return user

    return factory


@pytest.fixture
def make_organisation(app):
    from app.organisations.services import save_organisation

    counter = iter(range(1, 10_000))

    def factory(name=None, service_type="caw", region="antwerpen", contact_email=None):
        n = next(counter)
        org = save_organisation(
            None, name or f"Organisatie {n}", service_type, region, contact_email or f"org{n}@example.org"
        )
        db.session.commit()
        return org

    return factory


# --- a real SMTP server on 127.0.0.1 ---------------------------------------------------------


class SmtpSink:
    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        msg = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), msg))
        return "250 OK"

    def bodies(self):
        return [m.get_body(("plain",)).get_content() for _r, m in self.messages]


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    sink = SmtpSink()
    sink.port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


@pytest.fixture
def smtp_app(app, make_app, smtp_server):
    """An app whose mail goes to the test SMTP server.

    Depends on `app` so that its context is pushed on top of the one `make_user` brings in.
    """
    application = make_app(MAIL_TRANSPORT="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    with application.app_context():
        yield application
        db.session.remove()


def pytest_collection_modifyitems(config, items):
    # Browser tests last: they are the slowest and fail for the most reasons.
    items.sort(key=lambda item: 1 if item.get_closest_marker("browser") else 0)
