"""The audit log: written inside the same transaction as the change it records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from careapp.domain.clock import Clock, utcnow
from careapp.prepared import Writes
from careapp.storage import deferred
from careapp.storage.models import AuditRow, CareFlowRow, PatientRow, UserRow


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    action: str
    subject: str | None
    detail: str | None


def record(
    session: Writes,
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


def subject_names(session: Session, subjects: set[str]) -> dict[str, str]:
    """Readable names for audit subjects, for the admins' audit view only: "patient:3" → the
    patient's name, "care_flow:7" → its title and patient, "user:2" → the user name. The log keeps
    its ids; nothing beyond a name (no birth date, no identifiers) is shown, and a subject no
    longer in the cache keeps its id."""
    ids: dict[str, set[int]] = {"patient": set(), "care_flow": set(), "user": set()}
    for subject in subjects:
        kind, _, raw = subject.partition(":")
        if kind in ids and raw.isdigit():
            ids[kind].add(int(raw))
    flows = {
        r.id: r for r in session.scalars(select(CareFlowRow).where(CareFlowRow.id.in_(ids["care_flow"])))
    }
    ids["patient"] |= {f.patient_id for f in flows.values()}
    people = {
        r.id: f"{r.family_name}, {r.given_name}" if r.given_name else r.family_name
        for r in session.scalars(select(PatientRow).where(PatientRow.id.in_(ids["patient"])))
    }
    names = {f"patient:{i}": name for i, name in people.items()}
    for i, flow in flows.items():
        owner = people.get(flow.patient_id)
        names[f"care_flow:{i}"] = f"{flow.title} — {owner}" if owner else flow.title
    for row in session.scalars(select(UserRow).where(UserRow.id.in_(ids["user"]))):
        names[f"user:{row.id}"] = row.username
    return names
