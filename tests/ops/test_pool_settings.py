"""The PostgreSQL pool settings reach the engine; SQLite is left alone."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from app.core.database import engine_options
from app.extensions import db
from tests.ops.conftest import is_postgresql

PG = "postgresql+psycopg://wwwelzijn@/wwwelzijn"
POOL = {"DB_POOL_SIZE": 4, "DB_MAX_OVERFLOW": 6, "DB_POOL_TIMEOUT": 7, "DB_POOL_RECYCLE": 600}


def test_postgresql_gets_a_bounded_pool_with_a_liveness_check():
    options = engine_options({"SQLALCHEMY_DATABASE_URI": PG, **POOL})
    assert options == {
        "pool_size": 4,
        "max_overflow": 6,
        "pool_timeout": 7,
        "pool_recycle": 600,
        "pool_pre_ping": True,
    }


def test_explicit_engine_options_win_and_prepared_statements_can_be_switched_off():
    options = engine_options(
        {
            "SQLALCHEMY_DATABASE_URI": PG,
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 1, "connect_args": {"application_name": "x"}},
            "DB_PREPARED_STATEMENTS": False,
            **POOL,
        }
    )
    assert options["pool_size"] == 1
    assert options["max_overflow"] == 6
    assert options["connect_args"] == {"prepare_threshold": None, "application_name": "x"}


def test_sqlite_keeps_the_defaults():
    assert engine_options({"SQLALCHEMY_DATABASE_URI": "sqlite:///x.sqlite", **POOL}) == {}


def test_the_app_engine_uses_the_pool_settings(make_app, database_uri):
    if not is_postgresql(database_uri):
        pytest.skip("pool settings apply to PostgreSQL only")
    app = make_app(**POOL, DB_PREPARED_STATEMENTS=False)
    with app.app_context():
        pool = db.engine.pool
        assert (pool.size(), pool._max_overflow, pool._timeout, pool._recycle) == (4, 6, 7, 600)
        assert pool._pre_ping is True
        with db.engine.connect() as connection:
            assert connection.connection.dbapi_connection.prepare_threshold is None
            assert connection.execute(text("select 1")).scalar() == 1


def test_production_keeps_statement_values_out_of_error_messages():
    production = engine_options({"SQLALCHEMY_DATABASE_URI": "sqlite://", "ENV_NAME": "production"})
    assert production == {"hide_parameters": True}
    assert "hide_parameters" not in engine_options({"SQLALCHEMY_DATABASE_URI": PG, "ENV_NAME": "development"})
