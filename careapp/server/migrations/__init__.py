"""Alembic migrations of the regional backend's database."""
