"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from careapp.server.context import Services
from careapp.server.models import Base
from careapp.server.schema import alembic_config


def test_one_head_so_the_next_migration_has_one_parent(services: Services) -> None:
    assert len(ScriptDirectory.from_config(alembic_config(services.db)).get_heads()) == 1


def test_a_migrated_database_matches_the_models(services: Services) -> None:
    with services.db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []
