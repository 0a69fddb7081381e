"""Declarative base and the column types every model shares."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Integer, MetaData, String, Text, TypeDecorator, event
from sqlalchemy.orm import DeclarativeBase, relationship

# Stable constraint names keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# 64-bit on PostgreSQL; INTEGER on SQLite so it stays the rowid alias (autoincrement).
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def new_id() -> str:
    return str(uuid.uuid4())


_UUID_KEYED: dict[type, bool] = {}


def _uuid_keyed(cls: type) -> bool:
    """Does CLS have a string primary key named id with a generated default (new_id)?"""
    keyed = _UUID_KEYED.get(cls)
    if keyed is None:
        column = cls.__table__.c.get("id")  # type: ignore[attr-defined]  # a mapped class's table is a Table; SQLAlchemy declares __table__ a FromClause
        keyed = (
            column is not None
            and column.primary_key
            and isinstance(column.type, String)
            and column.default is not None
            and column.default.is_callable
        )
        _UUID_KEYED[cls] = keyed
    return keyed


@event.listens_for(Base, "init", propagate=True)
def _id_at_construction(target: Base, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    # A new row knows its id before the INSERT, so related rows, change-feed entries and
    # responses can name it without a flush per row (the batch endpoint flushes once per change).
    if "id" not in kwargs and _uuid_keyed(type(target)):
        kwargs["id"] = new_id()


def insert_order_parent(target: str) -> Any:
    """A many-to-one that exists only so one flush inserts TARGET's row before this one.

    SQLAlchemy orders a flush by relationships, not by foreign keys. Code sets the foreign key
    column itself (the id is known at construction) and never loads this attribute.
    """
    return relationship(target, lazy="raise")


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class JSONText(TypeDecorator[Any]):
    """JSON kept as text: identical on every backend, and PostgreSQL's jsonb refuses \\u0000."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        if value is None:
            return None
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)

    def process_result_value(self, value: str | None, dialect: Any) -> Any:
        return None if value is None else json.loads(value)
