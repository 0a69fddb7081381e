"""A clinician's own work on a care flow, written here first and queued for the backend like an
enrollment: completing a clinician activity (a message read, a checklist ticked, a form filled
in), stopping a care flow, and the audit record that a care flow's answers were viewed.

Each change, its outbox row and its audit row commit together. Roles are checked above this
layer (careapp.auth.care_team)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from careapp.domain.clock import Clock, utcnow
from careapp.storage import audit, outbox
from careapp.storage.database import CacheDatabase
from careapp.storage.errors import StorageError
from careapp.storage.models import ActivityRow, CareFlowRow, OutboxRow
from careapp.storage.remote_ward_work import CLOSED_FLOW, QUEUED_HERE

COMPLETE = "activity.complete"
FORM_RESPONSE = "activity.form_response"
STOP = "care_flow.stop"
ANSWERS_VIEWED = "care_flow.answers_viewed"
ACTIVITY_KINDS = frozenset({COMPLETE, FORM_RESPONSE})
WARD_WORK_KINDS = frozenset({*ACTIVITY_KINDS, STOP, ANSWERS_VIEWED})
STOP_QUEUED = "stopping"  # CareFlowRow.status while its stop waits in the outbox


@dataclass(frozen=True, slots=True)
class Completion:
    """What a clinician gives when completing an activity: ticked items or a form's answers."""

    checked_items: tuple[int, ...] | None = None
    answers: dict[str, Any] | None = None


def _username(actor: str) -> str:
    return actor.removeprefix("user:")


class ClinicianWork:
    def __init__(self, db: CacheDatabase, clock: Clock = utcnow) -> None:
        self._db = db
        self._clock = clock

    def complete(self, activity_id: str, completion: Completion, actor: str) -> None:
        with self._db.transaction() as session:
            activity = session.get(ActivityRow, activity_id)
            if activity is None:
                raise StorageError("That activity is no longer in the local cache.")
            flow = session.get(CareFlowRow, activity.care_flow_id)
            assert flow is not None  # the foreign key holds it
            if activity.stakeholder != "clinician":
                raise StorageError("The patient completes this activity on the patient pages.")
            if activity.status != "active" or activity.pending == QUEUED_HERE:
                raise StorageError("This activity is already closed.")
            if flow.status != "active":
                raise StorageError(f"This care flow is {flow.status.replace('_', ' ')}.")
            now = self._clock()
            activity.status, activity.pending = "done", QUEUED_HERE
            activity.completed_at, activity.completed_by = now, _username(actor)
            if completion.answers is not None:
                activity.answers = dict(completion.answers)
                payload: dict[str, Any] = {"activity_id": activity.id, "answers": dict(completion.answers)}
                kind = FORM_RESPONSE
            else:
                payload = {"activity_id": activity.id}
                if completion.checked_items is not None:
                    payload["checked_items"] = list(completion.checked_items)
                kind = COMPLETE
            outbox.enqueue(session, kind, payload, actor=actor)
            audit.record(
                session,
                actor,
                "activity.completed",
                f"patient:{flow.patient_id}",
                f"activity={activity.id}",
                self._clock,
            )

    def stop(self, care_flow_id: int, reason: str, actor: str) -> None:
        reason = reason.strip()
        if not reason:
            raise StorageError("Give a reason for stopping the care flow.")
        with self._db.transaction() as session:
            flow = session.get(CareFlowRow, care_flow_id)
            if flow is None:
                raise StorageError("That care flow is no longer in the local cache.")
            if flow.status in CLOSED_FLOW or flow.status == STOP_QUEUED:
                raise StorageError(f"This care flow is already {flow.status}.")
            flow.status, flow.stop_reason, flow.updated_at = STOP_QUEUED, reason[:500], self._clock()
            session.execute(
                update(ActivityRow)
                .where(ActivityRow.care_flow_id == flow.id, ActivityRow.status == "active")
                .values(status="canceled")
            )
            outbox.enqueue(session, STOP, {"care_flow_uid": flow.uid, "reason": reason[:500]}, actor=actor)
            audit.record(
                session,
                actor,
                "care_flow.stopped",
                f"patient:{flow.patient_id}",
                f"care_flow={flow.id}",
                self._clock,
            )

    def answers_viewed(self, care_flow_id: int, actor: str) -> None:
        """Audit here and on the backend that ACTOR looked at the care flow's answers."""
        with self._db.transaction() as session:
            flow = session.get(CareFlowRow, care_flow_id)
            if flow is None:
                return
            outbox.enqueue(session, ANSWERS_VIEWED, {"care_flow_uid": flow.uid}, actor=actor)
            audit.record(
                session,
                actor,
                "answers.viewed",
                f"patient:{flow.patient_id}",
                f"care_flow={flow.id}",
                self._clock,
            )


def stops_queued(session: Session) -> set[str]:
    """Uids of care flows whose stop is still in the outbox: a pull keeps them "stopping"."""
    rows = session.scalars(
        select(OutboxRow.payload).where(OutboxRow.kind == STOP, OutboxRow.state == "queued")
    )
    return {str(payload.get("care_flow_uid")) for payload in rows}


def keep_queued_stops(session: Session, uids: set[str]) -> None:
    """After a pull: care flows in UIDS (stops_queued before it) the backend still has open stay
    "stopping", their open activities canceled, until the stop is sent."""
    if not uids:
        return
    flows = list(session.scalars(select(CareFlowRow).where(CareFlowRow.uid.in_(uids))))
    for flow in flows:
        if flow.status not in CLOSED_FLOW:
            flow.status = STOP_QUEUED
            session.execute(
                update(ActivityRow)
                .where(ActivityRow.care_flow_id == flow.id, ActivityRow.status == "active")
                .values(status="canceled")
            )


def release_refused(session: Session, refused: list[tuple[str, dict[str, Any]]]) -> None:
    """The backend refused these (kind, payload) changes: what they did here is undone, so the
    activity or care flow shows open again while the refusal waits under "needs attention"."""
    for kind, payload in refused:
        if kind in (COMPLETE, FORM_RESPONSE):
            activity = session.get(ActivityRow, str(payload.get("activity_id")))
            if activity is not None and activity.pending == QUEUED_HERE:
                activity.status, activity.pending = "active", None
                activity.completed_at = activity.completed_by = None
                if kind == FORM_RESPONSE:
                    activity.answers = None
        elif kind == STOP:
            flow = session.scalar(
                select(CareFlowRow).where(CareFlowRow.uid == str(payload.get("care_flow_uid")))
            )
            if flow is not None and flow.status == STOP_QUEUED:
                flow.status, flow.stop_reason = "active", None
                session.execute(
                    update(ActivityRow)
                    .where(ActivityRow.care_flow_id == flow.id, ActivityRow.status == "canceled")
                    .values(status="active")
                )
