"""One pass over the SIU drop folder: appointments → patients and queued care flow starts.

For each appointment: look the patient's demographics up at the configured source, create or
update the patient and queue the mapped care flow's start for the named physician, keyed by
MSH-10 + SCH-1 (so a message is applied once, however often it is dropped; the keys of a
batch are checked in one query, before the hospital is asked). Files are applied BATCH_FILES to
a cache transaction (an appointment the cache refuses writes nothing), and moved after the
commit: to processed/ when every message in it was applied (or was a duplicate), to error/
otherwise. When the hospital or the cache is unavailable the pass stops and leaves the
remaining files in place for the next run: nothing is lost and nothing is applied twice.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from careapp.domain.identifiers import Identifier
from careapp.domain.patient import Patient, Physician
from careapp.integrations.config import HospitalConfig
from careapp.integrations.errors import (
    AmbiguousPatient,
    HospitalError,
    HospitalRejected,
    MalformedMessage,
    MalformedReply,
    UnknownPatient,
)
from careapp.integrations.hl7.drop_folder import DEFAULT_MIN_AGE, DropFolder
from careapp.integrations.hl7.siu import Appointment, Ignored, Rejected, SiuItem, read_siu_file
from careapp.integrations.lookup import PatientSource
from careapp.integrations.mapping import replacing_identifier
from careapp.storage.errors import DuplicateIdentifier, StorageError

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]  # (files done, files in this pass)
BATCH_FILES = 200  # files per cache transaction: one fsync per batch instead of per appointment
# An SIU^S12 is ~1 kB; a batch file of hundreds fits. Bigger is garbage that would take seconds
# to parse (a PID-3 of a million repetitions) and is refused unread.
MAX_FILE_BYTES = 2**20

# Failures that belong to one message: the file goes to error/, the pass continues.
_MESSAGE_FAILURES = (UnknownPatient, AmbiguousPatient, MalformedReply, HospitalRejected, MalformedMessage)


class AppointmentOutcome(Protocol):
    """Read only: ``careapp.storage.appointments.AppointmentResult`` is a frozen dataclass."""

    @property
    def created(self) -> bool: ...

    @property
    def queued_care_flow(self) -> bool: ...

    @property
    def duplicate(self) -> bool: ...


class AppointmentBatch(Protocol):
    def expect(self, message_keys: Iterable[str]) -> None: ...

    def seen(self, message_key: str) -> bool: ...

    def apply_appointment(
        self, message_key: str, patient: Patient, physician: Physician | None,
        definition_id: str | None, actor: str,
    ) -> AppointmentOutcome: ...  # fmt: skip


class AppointmentSink(Protocol):
    """``careapp.storage.appointments.AppointmentRepository`` satisfies this."""

    def batch(self) -> AbstractContextManager[AppointmentBatch]:
        """One transaction: commits when the block ends, rolls back if it raises StorageError."""
        ...


@dataclass
class SiuSummary:
    folder: str
    files: int = 0  # ready files this pass looked at
    processed: int = 0  # moved to processed/
    failed: int = 0  # moved to error/
    in_progress: int = 0  # skipped: still being written
    left: int = 0  # not moved (stopped, cancelled or unreadable); picked up next time
    messages: int = 0
    patients_created: int = 0
    patients_updated: int = 0
    care_flows_queued: int = 0
    unmapped: int = 0  # applied, but no care flow is mapped to the appointment's service
    duplicates: int = 0
    ignored: int = 0  # SIU events other than S12
    message_errors: int = 0
    hospital_queries: int = 0
    cancelled: bool = False
    stopped: str | None = None  # one line: why the pass stopped early
    errors: list[str] = field(default_factory=list)  # one line per failed file (no PHI)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    def add_counts(self, other: SiuSummary) -> None:
        for name in _BATCH_COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))


# What a batch counts while it is open; added to the pass's summary once the batch commits.
_BATCH_COUNTS = ("messages", "patients_created", "patients_updated", "care_flows_queued", "unmapped",
                 "duplicates", "ignored", "message_errors")  # fmt: skip


class _StopPass(Exception):
    """The hospital or the cache is unavailable: stop, leave the rest for the next run."""


def pull_siu(
    folder: Path,
    config: HospitalConfig,
    sink: AppointmentSink,
    *,
    actor: str,
    source: str | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    min_age: float = DEFAULT_MIN_AGE,
    clock: Callable[[], float] | None = None,
    batch_files: int = BATCH_FILES,
) -> SiuSummary:
    drop = DropFolder(folder, min_age, clock) if clock else DropFolder(folder, min_age)
    files, in_progress = drop.scan()
    summary = SiuSummary(folder=str(folder), files=len(files), in_progress=in_progress)
    pass_ = _Pass(drop, config, sink, actor, summary, progress, cancel)
    if progress:
        progress(0, len(files))
    with PatientSource(config, source) as patients:
        try:
            for start in range(0, len(files), batch_files):
                if not pass_.run_batch(files[start : start + batch_files], patients):
                    break
        finally:
            summary.hospital_queries = patients.queries
    summary.left = summary.files - summary.processed - summary.failed
    log.info(
        "SIU pull: %d files, %d processed, %d failed, %d messages, %d duplicates",
        summary.files, summary.processed, summary.failed, summary.messages, summary.duplicates,
    )  # fmt: skip
    return summary


@dataclass
class _Pass:
    drop: DropFolder
    config: HospitalConfig
    sink: AppointmentSink
    actor: str
    summary: SiuSummary
    progress: Progress | None
    cancel: threading.Event | None
    reached: int = 0  # files looked at so far, for progress

    def run_batch(self, paths: list[Path], patients: PatientSource) -> bool:
        """Apply PATHS in one transaction, then move them. False when the pass must stop.

        Files move only after the commit: a crash in between leaves them in the folder, and the
        next pass finds their messages already processed and just moves them."""
        part = SiuSummary(folder=self.summary.folder)
        read: list[tuple[Path, list[str]]] = []  # each file read, with its failures
        # Read and parse the batch first: its duplicates are then known from one query.
        files = [(path, _read_file(path, self.config)) for path in paths]
        try:
            with self.sink.batch() as batch:
                batch.expect(  # a file that could not be read (None) or parsed (str) has no appointments
                    i.message_key
                    for _, items in files
                    if isinstance(items, list)
                    for i in items
                    if isinstance(i, Appointment)
                )
                for path, items in files:
                    if self.cancel is not None and self.cancel.is_set():
                        self.summary.cancelled = True
                        break
                    try:
                        failures = _apply_file(items, self.config, batch, patients, self.actor, part)
                    except _StopPass as exc:  # keep what this batch applied; stop after the commit
                        self.summary.stopped = str(exc)
                        break
                    if failures is not None:
                        read.append((path, failures))
                    self.reached += 1
                    if self.progress:
                        self.progress(self.reached, self.summary.files)
        except StorageError as exc:  # disk full, cache locked: nothing of this batch was saved
            self.summary.stopped = str(exc)
            return False
        self.summary.add_counts(part)
        for path, failures in read:
            if failures:
                _fail(path, self.drop, self.summary, failures)
            else:
                self.drop.move_processed(path)
                self.summary.processed += 1
        return not (self.summary.cancelled or self.summary.stopped)


def _read_file(path: Path, config: HospitalConfig) -> list[SiuItem] | str | None:
    """A file's messages; one line when the file as a whole is unusable; None when it could not
    be read (vanished, or locked by its writer: tried again next time)."""
    try:
        with path.open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
    except OSError:
        return None
    if len(data) > MAX_FILE_BYTES:
        return f"the file is larger than {MAX_FILE_BYTES // 2**20} MB, more than any SIU batch needs"
    try:
        return read_siu_file(data, config)
    except MalformedMessage as exc:
        return str(exc)


def _apply_file(
    items: list[SiuItem] | str | None,
    config: HospitalConfig,
    batch: AppointmentBatch,
    patients: PatientSource,
    actor: str,
    summary: SiuSummary,
) -> list[str] | None:
    """Apply one file's appointments; return its failures, or None when it could not be read."""
    if items is None or isinstance(items, str):
        return None if items is None else [items]
    failures: list[str] = []
    for item in items:
        summary.messages += 1
        if isinstance(item, Ignored):
            summary.ignored += 1
            continue
        if isinstance(item, Rejected):
            summary.message_errors += 1
            failures.append(str(item.error))
            continue
        try:
            _apply(item, config, batch, patients, actor, summary)
        except _MESSAGE_FAILURES as exc:
            summary.message_errors += 1
            failures.append(f"message {item.control_id[:20]}: {exc}")
    return failures


def _apply(
    item: Appointment,
    config: HospitalConfig,
    batch: AppointmentBatch,
    patients: PatientSource,
    actor: str,
    summary: SiuSummary,
) -> None:
    if batch.seen(item.message_key):  # before the hospital is asked: re-drops cost no query
        summary.duplicates += 1
        return
    try:
        record = patients.fetch(item.patient_id)
    except _MESSAGE_FAILURES:
        raise
    except HospitalError as exc:  # timeout, unreachable, configuration
        raise _StopPass(str(exc)) from None
    patient = record.patient
    if item.visit_number:
        patient = replacing_identifier(patient, Identifier(config.visit_number_system, item.visit_number))
    _code, definition_id = config.care_flow_for(item.service_codes)
    physician = item.physician or record.attending
    try:
        result = batch.apply_appointment(item.message_key, patient, physician, definition_id, actor)
    except DuplicateIdentifier as exc:  # this message clashes with the cache: error/, go on
        raise MalformedMessage(str(exc)) from None
    if result.duplicate:
        summary.duplicates += 1
        return
    if result.created:
        summary.patients_created += 1
    else:
        summary.patients_updated += 1
    if result.queued_care_flow:
        summary.care_flows_queued += 1
    elif definition_id is None:
        summary.unmapped += 1


def _fail(path: Path, drop: DropFolder, summary: SiuSummary, reasons: list[str]) -> None:
    reason = "; ".join(reasons[:5]) + (f"; and {len(reasons) - 5} more" if len(reasons) > 5 else "")
    drop.move_error(path, reason)
    summary.failed += 1
    summary.errors.append(f"{path.name}: {reason}")
