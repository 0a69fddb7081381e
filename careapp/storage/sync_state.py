"""Sync bookkeeping in the cache: the change-feed cursor, times of the last sync, and the outbox
seen as a queue (FIFO reads, retry notes, rejected changes kept for a person to look at).

Outbox states: "queued" (waits for the backend), "rejected" (the backend refused it; kept, shown
under "needs attention"), "discarded" (an admin chose to drop a rejected change; still kept, for
the record). A row is deleted only once the backend has acknowledged it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from careapp.storage.models import OutboxRow, SyncStateRow
from careapp.storage.outbox import QueuedChange, to_change

QUEUED = "queued"
REJECTED = "rejected"
DISCARDED = "discarded"

CURSOR = "changes.cursor"
LAST_PUSH = "push.last_success"
LAST_PULL = "pull.last_success"
DEFINITIONS_SYNCED = "definitions.synced"


# -- key/value -----------------------------------------------------------------------------------


def get(session: Session, key: str) -> str | None:
    row = session.get(SyncStateRow, key)
    return row.value if row else None


def put(session: Session, key: str, value: str | None) -> None:
    row = session.get(SyncStateRow, key)
    if value is None:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(SyncStateRow(key=key, value=value))
    else:
        row.value = value


def get_time(session: Session, key: str) -> datetime | None:
    value = get(session, key)
    return datetime.fromisoformat(value) if value else None


def put_time(session: Session, key: str, value: datetime | None) -> None:
    put(session, key, value.isoformat() if value else None)


def cursor(session: Session) -> str:
    return get(session, CURSOR) or "0"


# -- the outbox as a queue -----------------------------------------------------------------------


class QueuedRow(NamedTuple):
    """An outbox row as the push reads it: what is sent, not the bookkeeping around it."""

    id: int
    kind: str
    payload: dict[str, Any]
    idempotency_key: str


def queued_after(session: Session, after_id: int, limit: int) -> list[QueuedRow]:
    """The oldest queued changes after AFTER_ID, oldest first (FIFO)."""
    rows = session.execute(
        select(OutboxRow.id, OutboxRow.kind, OutboxRow.payload, OutboxRow.idempotency_key)
        .where(OutboxRow.state == QUEUED, OutboxRow.id > after_id)
        .order_by(OutboxRow.id)
        .limit(limit)
    )
    return [QueuedRow(*r) for r in rows]


def still_queued(session: Session, ids: Iterable[int]) -> set[int]:
    """Those of IDS that are still queued (an admin may have acted on a change meanwhile)."""
    wanted = list(ids)
    if not wanted:
        return set()
    return set(
        session.scalars(select(OutboxRow.id).where(OutboxRow.id.in_(wanted), OutboxRow.state == QUEUED))
    )


def state_counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(OutboxRow.state, func.count()).group_by(OutboxRow.state))
    return {state: n for state, n in rows}


def note_retry(session: Session, ids: Iterable[int], message: str) -> None:
    """The backend could not take these now: count the attempt, keep them queued."""
    session.execute(
        update(OutboxRow)
        .where(OutboxRow.id.in_(list(ids)))
        .values(attempts=OutboxRow.attempts + 1, last_error=message)
    )


def note_waiting(session: Session, ids: Iterable[int], reason: str) -> None:
    """These wait for something else (not an attempt): say why, keep them queued."""
    wanted = list(ids)
    if wanted:
        session.execute(update(OutboxRow).where(OutboxRow.id.in_(wanted)).values(last_error=reason))


def reject(session: Session, problems: Mapping[int, str]) -> None:
    """The backend refused these rows (id → problem document): park them under "needs attention"."""
    if not problems:
        return
    session.connection().execute(
        update(OutboxRow)
        .where(OutboxRow.id == bindparam("row_id"))
        .values(state=REJECTED, attempts=OutboxRow.attempts + 1, last_error=bindparam("problem")),
        [{"row_id": row_id, "problem": problem} for row_id, problem in problems.items()],
    )


def acknowledge_all(session: Session, ids: list[int]) -> None:
    """The backend has these changes: the outbox no longer needs to keep them."""
    if ids:
        session.execute(delete(OutboxRow).where(OutboxRow.id.in_(ids)))


def needs_attention(session: Session) -> list[QueuedChange]:
    rows = session.scalars(select(OutboxRow).where(OutboxRow.state == REJECTED).order_by(OutboxRow.id))
    return [to_change(r) for r in rows]


def requeue(session: Session, row_id: int) -> OutboxRow | None:
    """Put a rejected (or discarded) change back in the queue at its old place in line."""
    row = session.get(OutboxRow, row_id)
    if row is None or row.state == QUEUED:
        return row
    row.state = QUEUED
    return row


def discard(session: Session, row_id: int) -> OutboxRow | None:
    """An admin gives up on a rejected change. It stays in the table, marked discarded."""
    row = session.get(OutboxRow, row_id)
    if row is not None and row.state == REJECTED:
        row.state = DISCARDED
    return row


def rejected_for_patient(session: Session, patient_uid: str) -> list[OutboxRow]:
    """Rejected changes about one patient (its record and its care flow starts)."""
    rows = session.scalars(select(OutboxRow).where(OutboxRow.state == REJECTED).order_by(OutboxRow.id))
    return [r for r in rows if _patient_uid(r.payload, r.kind) == patient_uid]


def pending_patient_uids(session: Session) -> set[str]:
    """Patients with a local record change the backend does not have yet (queued or rejected)."""
    rows = session.scalars(
        select(OutboxRow.payload).where(
            OutboxRow.kind == "patient.upsert", OutboxRow.state.in_((QUEUED, REJECTED))
        )
    )
    return {str(p.get("uid")) for p in rows if p.get("uid")}


def _patient_uid(payload: dict[str, Any], kind: str) -> str | None:
    if kind == "patient.upsert":
        return payload.get("uid")
    if kind == "care_flow.start":
        return payload.get("patient_uid")
    return None
