"""SIU appointments, applied at most once per message, many to a transaction.

A daily SIU drop holds thousands of files; one commit (one fsync) per appointment made the
cache the bottleneck. A batch applies many appointments in one transaction and commits them
together; an appointment that clashes with the cache is refused before it writes anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from careapp.domain.clock import Clock, utcnow
from careapp.domain.identifiers import DEMO_IDENTIFIER_KINDS, IdentifierKinds
from careapp.domain.patient import Patient, Physician
from careapp.storage import deferred
from careapp.storage.care_flows import queue_start_row
from careapp.storage.database import CacheDatabase
from careapp.storage.errors import DuplicateIdentifier, StorageError
from careapp.storage.models import ProcessedMessageRow
from careapp.storage.patients import save_from_hospital
from careapp.storage.search import indexing_later

_SEEN_ANY = select(ProcessedMessageRow.key).where(
    ProcessedMessageRow.key.in_(bindparam("keys", expanding=True))
)
_CHUNK = 500  # keys per query, well under SQLite's bound-parameter limit


@dataclass(frozen=True, slots=True)
class AppointmentResult:
    created: bool
    queued_care_flow: bool
    duplicate: bool


class AppointmentBatch:
    """Appointments written in one open transaction; nothing is durable until the batch commits.

    Patients are written with plain statements as they come (a later appointment of the batch
    must find them); audit, outbox, care flow and message rows wait in a RowBuffer, and search
    index entries in search.indexing_later, for one bulk insert each at the end."""

    def __init__(self, session: Session, clock: Clock, kinds: IdentifierKinds) -> None:
        self._session = session
        self._clock = clock
        self._kinds = kinds
        self._keys: set[str] = set()  # processed before, or applied in this batch
        self._new: set[str] = set()  # looked up and not processed before

    def expect(self, message_keys: Iterable[str]) -> None:
        """Look up which of MESSAGE_KEYS were processed before, in one query per chunk, so
        that ``seen`` asks nothing of the database for the appointments of this batch."""
        unknown = sorted(set(message_keys) - self._keys - self._new)
        for start in range(0, len(unknown), _CHUNK):
            chunk = unknown[start : start + _CHUNK]
            found = set(self._session.connection().execute(_SEEN_ANY, {"keys": chunk}).scalars())
            self._keys |= found
            self._new.update(k for k in chunk if k not in found)

    def seen(self, message_key: str) -> bool:
        """Whether MESSAGE_KEY was applied before: asked before the hospital is, so a re-dropped
        file costs no hospital query (and needs no hospital at all)."""
        if message_key not in self._keys and message_key not in self._new:
            self.expect((message_key,))
        return message_key in self._keys

    def apply_appointment(
        self,
        message_key: str,
        patient: Patient,
        physician: Physician | None,
        definition_id: str | None,
        actor: str,
    ) -> AppointmentResult:
        """Upsert the patient and queue its care flow start, unless MESSAGE_KEY was seen before.

        Raises DuplicateIdentifier, with nothing of this appointment written and the batch
        intact: the patient upsert checks everything before it writes, so no savepoint is
        needed (one per appointment cost more than the appointment's own inserts)."""
        session = self._session
        if self.seen(message_key):
            return AppointmentResult(created=False, queued_care_flow=False, duplicate=True)
        try:
            upserted, physician_row = save_from_hospital(
                session, patient, physician, actor=actor, source="siu", clock=self._clock, kinds=self._kinds
            )
        except DuplicateIdentifier as exc:
            if isinstance(exc.__cause__, IntegrityError):  # refused mid-write: undo the whole batch
                raise StorageError(str(exc)) from exc
            raise
        key, created = upserted.key, upserted.created
        if definition_id:
            queue_start_row(
                session, key, definition_id, physician_row, baseline={}, actor=actor, clock=self._clock
            )
        deferred.insert_row(session, ProcessedMessageRow, key=message_key, processed_at=self._clock())
        self._keys.add(message_key)
        return AppointmentResult(created, bool(definition_id), duplicate=False)


class AppointmentRepository:
    def __init__(
        self, db: CacheDatabase, clock: Clock = utcnow, kinds: IdentifierKinds = DEMO_IDENTIFIER_KINDS
    ) -> None:
        self._db = db
        self._clock = clock
        self._kinds = kinds  # which identifiers make an appointment's patient a cached one

    @contextmanager
    def batch(self) -> Iterator[AppointmentBatch]:
        """One transaction: commits when the block ends, rolls everything back if it raises."""
        with self._db.transaction() as session, deferred.buffering(session), indexing_later(session):
            yield AppointmentBatch(session, self._clock, self._kinds)
