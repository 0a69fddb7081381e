"""Care flows in the local cache: queued starts (offline-first) and the synced definitions."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from careapp.domain.clock import Clock, utcnow
from careapp.domain.patient import Physician
from careapp.storage import audit, deferred, outbox
from careapp.storage.database import CacheDatabase
from careapp.storage.errors import StorageError
from careapp.storage.models import ActivityRow, CareFlowDefinitionRow, CareFlowRow, PatientRow, PhysicianRow
from careapp.storage.patients import PatientKey, ensure_physician

QUEUED = "queued"  # local status until the backend has started the care flow


@dataclass(frozen=True, slots=True)
class CareFlowDefinitionSummary:
    id: str
    title: str
    version: int
    data_points: tuple[dict[str, Any], ...]

    @property
    def baseline_data_points(self) -> tuple[dict[str, Any], ...]:
        return tuple(d for d in self.data_points if d.get("baseline"))


@dataclass(frozen=True, slots=True)
class CareFlowSummary:
    id: int
    uid: str
    remote_id: str | None
    patient_id: int
    definition_id: str
    title: str
    status: str
    static_link_url: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ActivitySummary:
    id: str
    care_flow_id: int
    title: str
    kind: str
    stakeholder: str
    status: str


def _summary(row: CareFlowRow) -> CareFlowSummary:
    return CareFlowSummary(
        row.id,
        row.uid,
        row.remote_id,
        row.patient_id,
        row.definition_id,
        row.title,
        row.status,
        row.static_link_url,
        row.created_at,
    )


def _definition(session: Session, definition_id: str) -> CareFlowDefinitionRow | None:
    # Remembered for the session, misses too: an SIU batch asks for the same few thousands of times.
    known: dict[str, CareFlowDefinitionRow | None] = session.info.setdefault("definitions", {})
    if definition_id not in known:
        with session.no_autoflush:
            known[definition_id] = session.get(CareFlowDefinitionRow, definition_id)
    return known[definition_id]


def queue_start_row(
    session: Session,
    patient: PatientKey | PatientRow,
    definition_id: str,
    physician: PhysicianRow | None,
    baseline: dict[str, Any],
    actor: str,
    clock: Clock = utcnow,
) -> CareFlowRow:
    """Record the enrollment locally and queue its start for the backend, in SESSION's transaction."""
    definition = _definition(session, definition_id)
    now = clock()
    row = CareFlowRow(
        uid=str(uuid.uuid4()),
        patient_id=patient.id,
        definition_id=definition_id,
        definition_version=definition.version if definition else None,
        title=definition.title if definition else definition_id,
        status=QUEUED,
        physician_id=physician.id if physician else None,
        baseline=baseline,
        created_at=now,
        updated_at=now,
    )
    deferred.add(session, row)
    outbox.enqueue(
        session,
        "care_flow.start",
        {
            "uid": row.uid,
            "patient_uid": patient.uid,
            "definition_id": definition_id,
            "baseline": baseline,
            "physician_code": physician.code if physician else None,
            "physician_name": physician.name if physician else None,
        },
        actor=actor,
    )
    audit.record(
        session,
        actor,
        "care_flow.enrolled",
        subject=f"patient:{patient.id}",
        detail=f"definition={definition_id}",
        clock=clock,
    )
    return row


class CareFlowRepository:
    def __init__(self, db: CacheDatabase, clock: Clock = utcnow) -> None:
        self._db = db
        self._clock = clock

    def queue_start(
        self,
        patient_id: int,
        definition_id: str,
        *,
        physician: Physician | None,
        baseline: dict[str, Any],
        actor: str,
    ) -> CareFlowSummary:
        with self._db.transaction() as session:
            patient = session.get(PatientRow, patient_id)
            if patient is None:
                raise StorageError("That patient is no longer in the local cache.")
            physician_row = ensure_physician(session, physician) if physician else None
            row = queue_start_row(
                session, patient, definition_id, physician_row, baseline, actor, self._clock
            )
            session.flush()  # the summary needs the row's id
            return _summary(row)

    def for_patient(self, patient_id: int) -> list[CareFlowSummary]:
        with self._db.reading() as session:
            rows = session.scalars(
                select(CareFlowRow)
                .where(CareFlowRow.patient_id == patient_id)
                .order_by(CareFlowRow.created_at.desc())
            )
            return [_summary(r) for r in rows]

    def activities(self, care_flow_id: int) -> list[ActivitySummary]:
        """The care flow's activities as last synced (none while its start is still queued)."""
        with self._db.reading() as session:
            stmt = select(ActivityRow).where(ActivityRow.care_flow_id == care_flow_id)
            rows = session.scalars(stmt.order_by(ActivityRow.updated_at))
            return [
                ActivitySummary(r.id, r.care_flow_id, r.title, r.kind, r.stakeholder, r.status) for r in rows
            ]

    def definitions(self) -> list[CareFlowDefinitionSummary]:
        with self._db.reading() as session:
            rows = session.scalars(select(CareFlowDefinitionRow).order_by(CareFlowDefinitionRow.title))
            return [CareFlowDefinitionSummary(r.id, r.title, r.version, tuple(r.data_points)) for r in rows]
