"""Care flows in the local cache: queued starts (offline-first) and the synced definitions."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from careapp.domain.clock import Clock, utcnow
from careapp.domain.patient import Physician
from careapp.storage import audit, deferred, outbox
from careapp.storage.database import CacheDatabase
from careapp.storage.errors import StorageError
from careapp.storage.models import ActivityRow, CareFlowDefinitionRow, CareFlowRow, PatientRow
from careapp.storage.patients import PatientKey, ensure_physician

QUEUED = "queued"  # local status until the backend has started the care flow
# Statuses of a care flow the patient is still in: enrolling again in its definition doubles it.
OPEN_STATUSES = frozenset({QUEUED, "active", "missing_baseline_info"})
DONE_ACTIVITY = "done"


@dataclass(frozen=True, slots=True)
class CareFlowDefinitionSummary:
    id: str
    title: str
    version: int
    data_points: tuple[dict[str, Any], ...]

    @property
    def baseline_data_points(self) -> tuple[dict[str, Any], ...]:
        return tuple(d for d in self.data_points if d.get("baseline"))

    @property
    def can_self_enroll(self) -> bool:
        """Patients can start it from a poster: no baseline value a clinician must give."""
        return all(d.get("optional") for d in self.baseline_data_points)


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
    created_at: datetime  # when it was enrolled (on this desk, or started on the backend)
    activities_done: int = 0
    activities_total: int = 0

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


@dataclass(frozen=True, slots=True)
class ActivitySummary:
    id: str
    care_flow_id: int
    title: str
    kind: str
    stakeholder: str
    status: str


def _summary(row: CareFlowRow, progress: tuple[int, int] = (0, 0)) -> CareFlowSummary:
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
        *progress,
    )


def _progress(session: Session, care_flow_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(done, total) activities per care flow, as last synced."""
    if not care_flow_ids:
        return {}
    done = func.sum(case((ActivityRow.status == DONE_ACTIVITY, 1), else_=0))
    rows = session.execute(
        select(ActivityRow.care_flow_id, done, func.count())
        .where(ActivityRow.care_flow_id.in_(care_flow_ids))
        .group_by(ActivityRow.care_flow_id)
    )
    return {flow_id: (int(d or 0), int(total)) for flow_id, d, total in rows}


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
    physician: Physician | None,
    baseline: dict[str, Any],
    actor: str,
    clock: Clock = utcnow,
) -> CareFlowRow | None:
    """Record the enrollment locally and queue its start for the backend, in SESSION's transaction.

    The new row is returned, except inside a bulk batch (deferred.buffering), which writes it
    with the batch."""
    definition = _definition(session, definition_id)
    now = clock()
    uid = str(uuid.uuid4())
    row = deferred.insert_row(
        session,
        CareFlowRow,
        uid=uid,
        patient_id=patient.id,
        definition_id=definition_id,
        definition_version=definition.version if definition else None,
        title=definition.title if definition else definition_id,
        status=QUEUED,
        physician_id=physician.id if physician else None,
        baseline=baseline,
        created_at=now,
        updated_at=now,
        started_by=actor.removeprefix("user:"),
    )
    outbox.enqueue(
        session,
        "care_flow.start",
        {
            "uid": uid,
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
            assert row is not None  # not inside a bulk batch
            session.flush()  # the summary needs the row's id
            return _summary(row)

    def for_patient(self, patient_id: int) -> list[CareFlowSummary]:
        with self._db.reading() as session:
            rows = list(
                session.scalars(
                    select(CareFlowRow)
                    .where(CareFlowRow.patient_id == patient_id)
                    .order_by(CareFlowRow.created_at.desc())
                )
            )
            progress = _progress(session, [r.id for r in rows])
            return [_summary(r, progress.get(r.id, (0, 0))) for r in rows]

    def likely_definition(self, patient_id: int) -> str | None:
        """The care flow this ward enrolled in last, unless the patient has it open already: what
        the enroll dialog offers first after an import."""
        with self._db.reading() as session:
            has_open = select(CareFlowRow.definition_id).where(
                CareFlowRow.patient_id == patient_id, CareFlowRow.status.in_(OPEN_STATUSES)
            )
            return session.scalar(
                select(CareFlowRow.definition_id)
                .where(CareFlowRow.definition_id.not_in(has_open))
                .order_by(CareFlowRow.created_at.desc(), CareFlowRow.id.desc())
                .limit(1)
            )

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
