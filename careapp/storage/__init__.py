"""The desktop's local cache: SQLAlchemy models, repositories, search, outbox, migrations."""
