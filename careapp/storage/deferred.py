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
from typing import Any

from sqlalchemy import insert, inspect
from sqlalchemy.orm import DeclarativeBase, Session

_KEY = "row_buffer"


class RowBuffer:
    def __init__(self) -> None:
        self._rows: list[DeclarativeBase] = []

    def append(self, row: DeclarativeBase) -> None:
        self._rows.append(row)

    def mark(self) -> int:
        return len(self._rows)

    def undo_to(self, mark: int) -> None:
        """Forget rows added after MARK (their appointment's savepoint was rolled back)."""
        del self._rows[mark:]

    def write(self, session: Session) -> None:
        """Insert everything collected, table by table in first-use order, and start afresh."""
        by_statement: dict[tuple[type, frozenset[str]], list[dict[str, Any]]] = {}
        for row in self._rows:
            values = _column_values(row)
            by_statement.setdefault((type(row), frozenset(values)), []).append(values)
        self._rows.clear()
        for (model, _keys), rows in by_statement.items():
            session.execute(insert(model), rows)


def add(session: Session, row: DeclarativeBase) -> None:
    """Add ROW to the session's open buffer, or to the session itself when there is none."""
    buffer: RowBuffer | None = session.info.get(_KEY)
    if buffer is None:
        session.add(row)
    else:
        buffer.append(row)


@contextmanager
def buffering(session: Session) -> Iterator[RowBuffer]:
    """Collect append-only rows for the block; write them when it ends without an error."""
    buffer = RowBuffer()
    session.info[_KEY] = buffer
    try:
        yield buffer
        session.flush()  # patients first: buffered care flows refer to them
        buffer.write(session)
    finally:
        session.info.pop(_KEY, None)


def _column_values(row: DeclarativeBase) -> dict[str, Any]:
    """The row's set columns; unset ones are left out so their column defaults apply."""
    values = {}
    for attr in inspect(row).mapper.column_attrs:
        value = getattr(row, attr.key)
        if value is not None:
            values[attr.key] = value
    return values
