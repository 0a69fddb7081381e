"""The outbox: local changes waiting to be pushed, written in the change's own transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from careapp.domain.clock import utcnow
from careapp.prepared import Writes
from careapp.storage import deferred
from careapp.storage.models import OutboxRow

ACTOR_KEY = "actor"  # payload member naming who made the change


@dataclass(frozen=True, slots=True)
class QueuedChange:
    id: int
    kind: str
    payload: dict[str, Any]
    idempotency_key: str
    state: str
    attempts: int
    last_error: str | None
    created_at: datetime


def enqueue(session: Writes, kind: str, payload: dict[str, Any], *, actor: str | None = None) -> None:
    """Queue a change for the backend in SESSION's transaction.

    ACTOR (the audit actor, "user:<name>") is kept so sync can tell the backend which person
    made the change (X-Acting-User), whoever is signed in when it is finally pushed."""
    if actor is not None:
        payload = {**payload, ACTOR_KEY: actor}
    deferred.insert_row(
        session,
        OutboxRow,
        kind=kind,
        payload=payload,
        idempotency_key=uuid.uuid4().hex,
        state="queued",
        attempts=0,
        created_at=utcnow(),
    )


def to_change(row: OutboxRow) -> QueuedChange:
    return QueuedChange(
        row.id,
        row.kind,
        dict(row.payload),
        row.idempotency_key,
        row.state,
        row.attempts,
        row.last_error,
        row.created_at,
    )


def counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(OutboxRow.state, func.count()).group_by(OutboxRow.state))
    return {state: n for state, n in rows}
