"""SIU appointments, applied at most once per message, many to a transaction.

A daily SIU drop holds thousands of files; one commit (one fsync) per appointment made the
cache the bottleneck. A batch applies many appointments in one transaction, each inside its own
SAVEPOINT so that one that clashes with the cache is rolled back alone, and commits them together.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from careapp.domain.clock import Clock, utcnow
from careapp.domain.patient import Patient, Physician
from careapp.storage.care_flows import queue_start_row
from careapp.storage.database import CacheDatabase
from careapp.storage.errors import DuplicateIdentifier
from careapp.storage.models import ProcessedMessageRow
from careapp.storage.patients import save_from_hospital


@dataclass(frozen=True, slots=True)
class AppointmentResult:
    created: bool
    queued_care_flow: bool
    duplicate: bool


class AppointmentBatch:
    """Appointments written in one open transaction; nothing is durable until the batch commits."""

    def __init__(self, session: Session, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    def apply_appointment(
        self,
        message_key: str,
        patient: Patient,
        physician: Physician | None,
        definition_id: str | None,
        actor: str,
    ) -> AppointmentResult:
        """Upsert the patient and queue its care flow start, unless MESSAGE_KEY was seen before.

        Raises DuplicateIdentifier, with this appointment's writes undone and the batch intact."""
        session = self._session
        if session.get(ProcessedMessageRow, message_key) is not None:
            return AppointmentResult(created=False, queued_care_flow=False, duplicate=True)
        try:
            with session.begin_nested():
                session.add(ProcessedMessageRow(key=message_key, processed_at=self._clock()))
                row, physician_row, created = save_from_hospital(
                    session, patient, physician, actor=actor, source="siu", clock=self._clock
                )
                if definition_id:
                    queue_start_row(
                        session, row, definition_id, physician_row, baseline={}, actor=actor,
                        clock=self._clock,
                    )  # fmt: skip
                session.flush()
        except IntegrityError as exc:  # the savepoint is rolled back; the batch goes on
            raise DuplicateIdentifier(
                "An identifier of this patient is already in use; nothing was saved."
            ) from exc
        return AppointmentResult(created, bool(definition_id), duplicate=False)


class AppointmentRepository:
    def __init__(self, db: CacheDatabase, clock: Clock = utcnow) -> None:
        self._db = db
        self._clock = clock

    @contextmanager
    def batch(self) -> Iterator[AppointmentBatch]:
        """One transaction: commits when the block ends, rolls everything back if it raises."""
        with self._db.transaction() as session:
            yield AppointmentBatch(session, self._clock)

    def apply_appointment(
        self,
        message_key: str,
        patient: Patient,
        physician: Physician | None,
        definition_id: str | None,
        actor: str,
    ) -> AppointmentResult:
        """One appointment in its own transaction."""
        with self.batch() as batch:
            return batch.apply_appointment(message_key, patient, physician, definition_id, actor)
