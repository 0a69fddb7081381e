"""SIU appointments, applied at most once per message, many to a transaction.

A daily SIU drop holds thousands of files; one commit (one fsync) per appointment made the
cache the bottleneck. A batch applies many appointments in one transaction, each inside its own
SAVEPOINT so that one that clashes with the cache is rolled back alone, and commits them together.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from careapp.domain.clock import Clock, utcnow
from careapp.domain.patient import Patient, Physician
from careapp.storage import deferred
from careapp.storage.care_flows import queue_start_row
from careapp.storage.database import CacheDatabase
from careapp.storage.deferred import RowBuffer
from careapp.storage.errors import DuplicateIdentifier
from careapp.storage.models import ProcessedMessageRow
from careapp.storage.patients import save_from_hospital

_SEEN = select(ProcessedMessageRow.key).where(ProcessedMessageRow.key == bindparam("key"))


@dataclass(frozen=True, slots=True)
class AppointmentResult:
    created: bool
    queued_care_flow: bool
    duplicate: bool


class AppointmentBatch:
    """Appointments written in one open transaction; nothing is durable until the batch commits.

    Only the patient rows go through the unit of work (and a flush when one is new or changed);
    audit, outbox, care flow and message rows wait in a RowBuffer for one bulk insert."""

    def __init__(self, session: Session, buffer: RowBuffer, clock: Clock) -> None:
        self._session = session
        self._buffer = buffer
        self._clock = clock
        self._keys: set[str] = set()  # applied in this batch, not yet in processed_messages
        self._new: set[str] = set()  # looked up and not processed before

    def seen(self, message_key: str) -> bool:
        """Whether MESSAGE_KEY was applied before: asked before the hospital is, so a re-dropped
        file costs no hospital query (and needs no hospital at all)."""
        if message_key in self._keys:
            return True
        if message_key in self._new:
            return False
        if self._session.execute(_SEEN, {"key": message_key}).first():
            return True
        self._new.add(message_key)
        return False

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
        if self.seen(message_key):
            return AppointmentResult(created=False, queued_care_flow=False, duplicate=True)
        mark = self._buffer.mark()
        try:
            with session.begin_nested():
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
            self._buffer.undo_to(mark)
            raise DuplicateIdentifier.taken() from exc
        except DuplicateIdentifier:
            self._buffer.undo_to(mark)
            raise
        deferred.add(session, ProcessedMessageRow(key=message_key, processed_at=self._clock()))
        self._keys.add(message_key)
        return AppointmentResult(created, bool(definition_id), duplicate=False)


class AppointmentRepository:
    def __init__(self, db: CacheDatabase, clock: Clock = utcnow) -> None:
        self._db = db
        self._clock = clock

    @contextmanager
    def batch(self) -> Iterator[AppointmentBatch]:
        """One transaction: commits when the block ends, rolls everything back if it raises."""
        with self._db.transaction() as session, deferred.buffering(session) as buffer:
            yield AppointmentBatch(session, buffer, self._clock)
