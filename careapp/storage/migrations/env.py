"""Alembic environment for the desktop cache. Runs on the connection open_cache() hands it."""

from alembic import context

from careapp.storage.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies tables instead
)
with context.begin_transaction():
    context.run_migrations()
