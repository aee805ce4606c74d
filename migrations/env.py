"""Alembic environment: runs against the Flask app's database and models."""

from __future__ import annotations

from alembic import context

config = context.config


def _app():
    app = config.attributes.get("flask_app")
    if app is None:
        from app import create_app

        app = create_app()
    return app


def render_item(type_, obj, autogen_context):
    """Write our UTC datetime type as a plain timezone-aware DateTime in migration files."""
    from app.core.models import UTCDateTime

    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def include_name(name, type_, parent_names):
    """Full-text search objects (SQLite FTS5 tables, a PostgreSQL tsvector column and its GIN
    index) are made with raw SQL in their migration, not by the models: leave names containing
    "_fts" out of the comparison."""
    return not (type_ in ("table", "column", "index") and name and "_fts" in name)


def run_migrations() -> None:
    app = _app()
    from app.extensions import db

    with app.app_context():
        engine = db.engine
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=db.metadata,
                render_as_batch=connection.dialect.name == "sqlite",
                compare_type=True,
                compare_server_default=True,
                render_item=render_item,
                include_name=include_name,
            )
            with context.begin_transaction():
                context.run_migrations()
            connection.commit()


if context.is_offline_mode():
    raise SystemExit("Offline (SQL script) migrations are not supported; run `flask --app wsgi db upgrade`.")
run_migrations()
