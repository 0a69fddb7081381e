"""The audit log: written inside the same transaction as the change it records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from careapp.domain.clock import Clock, utcnow
from careapp.storage import deferred
from careapp.storage.models import AuditRow


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    action: str
    subject: str | None
    detail: str | None


def record(
    session: Session,
    actor: str,
    action: str,
    subject: str | None = None,
    detail: str | None = None,
    clock: Clock = utcnow,
) -> None:
    """Add an audit row to SESSION's transaction: if it cannot be written, the change fails too."""
    deferred.insert_row(
        session, AuditRow, at=clock(), actor=actor, action=action, subject=subject, detail=detail
    )


def query(
    session: Session,
    *,
    actor: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 1000,
) -> list[AuditEntry]:
    stmt = select(AuditRow).order_by(AuditRow.at.desc(), AuditRow.id.desc()).limit(limit)
    if actor:
        stmt = stmt.where(AuditRow.actor == actor)
    if action:
        stmt = stmt.where(AuditRow.action.startswith(action))
    if since:
        stmt = stmt.where(AuditRow.at >= since)
    if until:
        stmt = stmt.where(AuditRow.at < until)
    return [AuditEntry(r.id, r.at, r.actor, r.action, r.subject, r.detail) for r in session.scalars(stmt)]
