"""The rows of a care flow started by one request, written with one INSERT per table.

A start writes some twenty rows (the care flow, its values, step runs, activities, timers, its
link, audit and change-feed rows, webhook deliveries). Through the ORM each is an object the
unit of work sorts, inserts and reads ids back from; none is read back in the transaction, so
the engine builds them as usual but holds them here (see moves.FlowState.held), and the start
writes them in one executemany per table (careapp.prepared.insert_rows). The care flow itself
then joins the session as a loaded row, so what the caller changes on it later is an UPDATE as
before.

Handlers of the start's events read the rows the events name (the patient notifications read
the activity), so the events are held too (Tx.held_events) and published once the rows are in.
Work run in one go (a workstation's batch) keeps the ORM path: its one flush at the end already
groups every start's rows per table.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

from sqlalchemy import Table, inspect
from sqlalchemy.orm import make_transient_to_detached

from careapp.prepared import insert_rows
from careapp.server.context import Tx
from careapp.server.models import (
    ActivityRow,
    CareFlowAlertRow,
    CareFlowRow,
    CareFlowTimerRow,
    DataPointValueRow,
    HostedPagesLinkRow,
    StepRunRow,
)
from careapp.server.models.base import Base

# Foreign keys first: everything names the care flow.
_ORDER: tuple[type[Base], ...] = (
    CareFlowRow,
    DataPointValueRow,
    StepRunRow,
    ActivityRow,
    CareFlowTimerRow,
    CareFlowAlertRow,
    HostedPagesLinkRow,
)
_FIRST_REVISION = 1  # what the ORM's version counter (CareFlowRow.revision) starts at


def _columns(model: type[Base]) -> list[tuple[str, Any]]:
    """(attribute, default) of each column an INSERT of MODEL names; database-made ids are left out."""
    found = []
    for prop in inspect(model).column_attrs:
        column = prop.columns[0]
        if column.primary_key and column.type.python_type is int:
            continue  # made by the database
        default = column.default.arg if column.default is not None and column.default.is_scalar else None
        found.append((prop.key, default))
    return found


_COLUMNS = {model: _columns(model) for model in _ORDER}


class HeldRows:
    """ORM rows built by a start and not added to the session: written by ``write``."""

    def __init__(self) -> None:
        self.rows: list[Base] = []

    def add(self, row: Base) -> None:
        self.rows.append(row)

    def discard(self, row: Base) -> None:
        self.rows.remove(row)

    def write(self, tx: Tx, flow: CareFlowRow) -> None:
        """Insert the held rows, one statement per table; FLOW then joins the session as stored."""
        flow.revision = _FIRST_REVISION
        for key, default in _COLUMNS[CareFlowRow]:
            if key not in flow.__dict__:  # else it would be expired on joining, and read back
                setattr(flow, key, default)
        by_model: dict[type[Base], list[dict[str, Any]]] = {}
        for row in (flow, *self.rows):
            values = row.__dict__
            by_model.setdefault(type(row), []).append(
                {key: values.get(key, default) for key, default in _COLUMNS[type(row)]}
            )
        for model in _ORDER:
            rows = by_model.pop(model, None)
            if rows:
                insert_rows(tx.session, cast(Table, model.__table__), rows)
        assert not by_model, f"no INSERT order for {list(by_model)}"
        self.rows.clear()
        make_transient_to_detached(flow)
        tx.session.add(flow)


@contextmanager
def holding(tx: Tx) -> Iterator[HeldRows | None]:
    """Hold a start's rows, and (Tx.appending) its audit, change-feed and webhook rows and events.

    The caller writes the held rows (HeldRows.write) before the block ends; then the events are
    published and the rows they and the start queued are inserted. Yields None inside work run
    in one go (tx.bulk_rows set), which keeps the ORM path."""
    if tx.bulk_rows is not None:
        yield None
        return
    tx.session.flush()  # what is pending goes in first: foreign keys, and the audit trail's order
    with tx.appending():
        yield HeldRows()
