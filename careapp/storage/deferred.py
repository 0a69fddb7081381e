"""Append-only rows written in bulk at the end of a batch instead of one flush at a time.

Audit entries, outbox changes, queued care flows and processed-message keys are only ever
inserted. In a bulk job (the SIU pull) flushing them one appointment at a time costs more than
everything else together; a ``RowBuffer`` on the session collects them and writes each table's
rows with one executemany just before the batch commits. Order is kept within each table, so the
outbox stays FIFO. Outside a batch nothing changes: the rows are added to the session as usual.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar, cast

from sqlalchemy import Table
from sqlalchemy.orm import DeclarativeBase, Session

from careapp.prepared import DriverTransaction, Writes, insert_rows

_KEY = "row_buffer"
Model = TypeVar("Model", bound=DeclarativeBase)


class RowBuffer:
    """Rows as plain column values: building thousands of ORM objects only to read their
    attributes back for an executemany cost as much as the inserts."""

    def __init__(self) -> None:
        self._rows: list[tuple[type[DeclarativeBase], dict[str, Any]]] = []

    def append(self, model: type[DeclarativeBase], values: dict[str, Any]) -> None:
        self._rows.append((model, values))

    def write(self, session: Writes) -> None:
        """Insert everything collected, table by table in first-use order, and start afresh."""
        by_model: dict[type[DeclarativeBase], list[dict[str, Any]]] = {}
        for model, values in self._rows:
            by_model.setdefault(model, []).append(values)
        self._rows.clear()
        for model, rows in by_model.items():  # on the driver: the ORM's bulk path cost more than the rows
            insert_rows(session, cast(Table, model.__table__), rows)


def insert_row(session: Writes, model: type[Model], **values: Any) -> Model | None:
    """A new row of MODEL: into the session's open buffer (None returned), or, when there is
    none, added to the session as an object (returned). Values that are None are left out, so
    that column defaults apply either way."""
    values = {k: v for k, v in values.items() if v is not None}
    buffer: RowBuffer | None = session.info.get(_KEY)
    if buffer is not None:
        buffer.append(model, values)
        return None
    if isinstance(session, DriverTransaction):
        raise TypeError("rows go into a DriverTransaction only through buffering()")
    row = model(**values)
    session.add(row)
    return row


@contextmanager
def buffering(session: Writes) -> Iterator[RowBuffer]:
    """Collect append-only rows for the block; write them when it ends without an error."""
    buffer = RowBuffer()
    session.info[_KEY] = buffer
    try:
        yield buffer
        if isinstance(session, Session):
            session.flush()  # patients first: buffered care flows refer to them
        buffer.write(session)
    finally:
        session.info.pop(_KEY, None)
