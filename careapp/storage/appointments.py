"""SIU appointments: one transaction per appointment, applied at most once per message."""

from __future__ import annotations

from dataclasses import dataclass

from careapp.domain.clock import Clock, utcnow
from careapp.domain.patient import Patient, Physician
from careapp.storage.care_flows import queue_start_row
from careapp.storage.database import CacheDatabase
from careapp.storage.models import ProcessedMessageRow
from careapp.storage.patients import save_from_hospital, to_patient


@dataclass(frozen=True, slots=True)
class AppointmentResult:
    patient: Patient | None
    created: bool
    queued_care_flow: bool
    duplicate: bool


class AppointmentRepository:
    def __init__(self, db: CacheDatabase, clock: Clock = utcnow) -> None:
        self._db = db
        self._clock = clock

    def apply_appointment(
        self,
        message_key: str,
        patient: Patient,
        physician: Physician | None,
        definition_id: str | None,
        actor: str,
    ) -> AppointmentResult:
        """Upsert the patient and queue its care flow start, unless MESSAGE_KEY was seen before."""
        with self._db.transaction() as session:
            if session.get(ProcessedMessageRow, message_key) is not None:
                return AppointmentResult(None, created=False, queued_care_flow=False, duplicate=True)
            session.add(ProcessedMessageRow(key=message_key, processed_at=self._clock()))
            row, physician_row, created = save_from_hospital(
                session, patient, physician, actor=actor, source="siu", clock=self._clock
            )
            if definition_id:
                queue_start_row(
                    session, row, definition_id, physician_row, baseline={}, actor=actor, clock=self._clock
                )
            session.flush()
            return AppointmentResult(to_patient(row), created, bool(definition_id), duplicate=False)
