"""Alembic environment: run with a connection handed over by careapp.server.schema."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from careapp.server.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:  # plain `alembic` command line use
        url = config.get_main_option("sqlalchemy.url")
        assert url, "the migration runner sets sqlalchemy.url"
        engine = create_engine(url)
        with engine.connect() as conn:
            _run(conn)
        return
    _run(connection)


def _run(connection) -> None:
    # render_as_batch: SQLite can only ALTER by copying tables.
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
