"""Patients in the local cache: import-or-update by identifier, lookup and search."""

from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple, cast

from sqlalchemy import String, Table, bindparam, insert, select, text
from sqlalchemy import update as sql_update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from careapp.domain.clock import Clock, utcnow
from careapp.domain.identifiers import DEMO_IDENTIFIER_KINDS, Identifier, IdentifierKinds
from careapp.domain.patient import Patient, Physician, fold
from careapp.domain.patient_record import DEMOGRAPHICS, columns, from_columns, to_wire
from careapp.prepared import Prepared, Writes
from careapp.storage import audit, deferred, outbox
from careapp.storage.database import CacheDatabase
from careapp.storage.errors import DuplicateIdentifier, IdentifierConflict
from careapp.storage.models import PatientIdentifierRow, PatientRow, PhysicianRow
from careapp.storage.search import SEARCH_LIMIT, SearchQuery, index_patient


@dataclass(frozen=True, slots=True)
class SavedPatient:
    patient: Patient
    created: bool


class PatientSummary(NamedTuple):
    """One row of the patient list: what a clinician needs to pick the right person.

    A tuple, its identifiers kept as SQLite gave them: the list is rebuilt on every keystroke
    from up to 200 rows, and building objects per row cost as much as the query; only the
    rows on screen are ever asked for their identifiers."""

    id: int
    family_name: str
    given_name: str
    birth_date: date | None
    sex: str
    held: str | None = None  # the identifiers as "system US value RS …", in their order

    @property
    def identifiers(self) -> tuple[Identifier, ...]:
        if not self.held:
            return ()
        return tuple(Identifier.stored(*i.split("\x1f", 1)) for i in self.held.split("\x1e"))

    @property
    def display_name(self) -> str:
        return f"{self.family_name}, {self.given_name}" if self.given_name else self.family_name


def search_name(family: str, given: str) -> str:
    return fold(f"{family} {given}".strip())


def to_patient(row: PatientRow) -> Patient:
    values = {name: getattr(row, name) for name in DEMOGRAPHICS}
    identifiers = (Identifier(i.system, i.value) for i in row.identifiers)
    return from_columns(
        values, identifiers, id=row.id, remote_id=row.remote_id, physician_id=row.physician_id
    )


# Run on the driver (careapp.prepared): an import names a physician each time, and an ORM
# look-up and flush of the row cost more than the patient's own upsert.
_PHYSICIANS = cast(Table, PhysicianRow.__table__)
_PHYSICIAN_BY_CODE = Prepared(
    select(PhysicianRow.id, PhysicianRow.name).where(PhysicianRow.code == bindparam("code"))
)
_INSERT_PHYSICIAN = Prepared(insert(_PHYSICIANS), columns=["code", "name"])
_RENAME_PHYSICIAN = Prepared(
    sql_update(_PHYSICIANS).where(_PHYSICIANS.c.id == bindparam("physician")), columns=["name"]
)


def ensure_physician(session: Writes, physician: Physician) -> Physician:
    """The cached physician with PHYSICIAN's code (with its id), created or renamed as needed."""
    # Remembered for the transaction: an SIU batch names the same few physicians thousands of times.
    known: dict[str, Physician] = session.info.setdefault("physicians", {})
    row = known.get(physician.code)
    if row is None:
        found = _PHYSICIAN_BY_CODE.first(session, {"code": physician.code})
        if found is None:
            new_id = _INSERT_PHYSICIAN.insert_rowid(session, {"code": physician.code, "name": physician.name})
            row = Physician(physician.code, physician.name, new_id)
        else:
            row = Physician(physician.code, found[1], found[0])
    if physician.name and row.name != physician.name:
        _RENAME_PHYSICIAN.execute(session, {"physician": row.id, "name": physician.name})
        row = Physician(physician.code, physician.name, row.id)
    known[physician.code] = row
    return row


_DEMOGRAPHICS = (*DEMOGRAPHICS, "search_name")
_HELD = aliased(PatientIdentifierRow)
_HOLDER_COLUMNS = (
    PatientRow.id,
    PatientRow.uid,
    PatientRow.physician_id,
    PatientRow.remote_id,
    *(getattr(PatientRow, name) for name in _DEMOGRAPHICS),
    PatientIdentifierRow.system,
    PatientIdentifierRow.value,
)
_SYSTEM = len(_HOLDER_COLUMNS) - 2  # where a row's identifier starts


@functools.cache
def _holders_of(count: int) -> Prepared:
    """The cached patients holding any of COUNT identifier values (bound as v0, v1, …), each
    with all its identifiers in the order it holds them. Plain rows run on the driver, built once
    per count: most SIU appointments name a patient the cache already holds unchanged, and loading
    objects only to find nothing to do cost more than the rest of the appointment."""
    values = [bindparam(f"v{n}", type_=String()) for n in range(count)]
    holder_ids = select(_HELD.patient_id).where(_HELD.value.in_(values))
    return Prepared(
        select(*_HOLDER_COLUMNS)
        .join(PatientIdentifierRow, PatientIdentifierRow.patient_id == PatientRow.id)
        .where(PatientRow.id.in_(holder_ids))
        .order_by(PatientIdentifierRow.id)
    )


@dataclass(frozen=True, slots=True)
class PatientKey:
    """What a queued change needs of a cached patient."""

    id: int
    uid: str


@dataclass
class _Holder:
    key: PatientKey
    physician_id: int | None
    remote_id: str | None
    values: dict[str, object]
    identifiers: dict[tuple[str, str], None]  # an ordered set: the order they were added in


def _holders(session: Writes, identifiers: tuple[Identifier, ...]) -> list[_Holder]:
    """The distinct cached patients that already hold any of IDENTIFIERS, as plain values."""
    if not identifiers:
        return []
    wanted = {(i.system, i.value) for i in identifiers}
    values = sorted({value for _system, value in wanted})
    found: dict[int, _Holder] = {}
    for row in _holders_of(len(values)).all(session, {f"v{n}": v for n, v in enumerate(values)}):
        holder = found.get(row[0])
        if holder is None:
            demographics = dict(zip(_DEMOGRAPHICS, row[4:_SYSTEM], strict=True))
            holder = found[row[0]] = _Holder(PatientKey(row[0], row[1]), row[2], row[3], demographics, {})
        holder.identifiers[row[_SYSTEM], row[_SYSTEM + 1]] = None
    return [h for h in found.values() if h.identifiers.keys() & wanted]


def _demographics(patient: Patient) -> dict[str, object]:
    values = columns(patient)
    values["search_name"] = search_name(values["family_name"], values["given_name"])
    return values


@dataclass(frozen=True, slots=True)
class Upserted:
    key: PatientKey
    created: bool
    changed: bool  # demographics or identifiers differ from what the cache held
    payload: dict[str, object] | None  # what the backend needs, when something was written
    # What the cache now holds, to build the saved patient from without reading it back.
    values: Mapping[str, object]
    identifiers: Iterable[tuple[str, str]]  # in the order the patient holds them
    remote_id: str | None
    physician_id: int | None

    def patient(self) -> Patient:
        """The patient as saved: the same codec as a patient read from the cache."""
        return from_columns(
            self.values,
            (Identifier(system, value) for system, value in self.identifiers),
            id=self.key.id,
            remote_id=self.remote_id,
            physician_id=self.physician_id,
        )


# Statements on the mapped tables (declared as FromClause; a mapped class's table is a Table),
# run on the driver: a bedside import is these few statements and a commit.
_PATIENTS = cast(Table, PatientRow.__table__)
_NEW_PATIENT = ("uid", "remote_id", "physician_id", "created_at", "updated_at", *_DEMOGRAPHICS)
_INSERT_PATIENT = Prepared(insert(_PATIENTS), columns=_NEW_PATIENT)
_INSERT_IDENTIFIERS = Prepared(
    insert(cast(Table, PatientIdentifierRow.__table__)), columns=["patient_id", "system", "value"]
)


@functools.cache
def _update_of(columns: tuple[str, ...]) -> Prepared:
    """The UPDATE of one patient's COLUMNS (its id bound as "patient"), built once per set."""
    return Prepared(sql_update(_PATIENTS).where(_PATIENTS.c.id == bindparam("patient")), columns=columns)


def _same_patient(
    holders: list[_Holder], wanted: set[tuple[str, str]], kinds: IdentifierKinds
) -> _Holder | None:
    """The cached patient the record is, None for a new one; refused (IdentifierConflict) when
    the record shares an identifier with a cached patient it is not, by KINDS' rules: it must
    share a one-per-patient identifier and hold no other value of a one-per-patient system."""
    same = []
    for holder in holders:
        clash = kinds.clash(wanted, holder.identifiers)
        if clash is not None:
            raise IdentifierConflict.of(clash)
        same.append(holder)
    if len(same) > 1:
        raise DuplicateIdentifier(
            "These identifiers belong to two different patients in the cache; "
            "nothing was saved. Ask an admin to review the duplicates."
        )
    return same[0] if same else None


def upsert_row(
    session: Writes,
    patient: Patient,
    clock: Clock = utcnow,
    physician: Physician | None = None,
    kinds: IdentifierKinds = DEMO_IDENTIFIER_KINDS,
) -> Upserted:
    """Create the patient, or update the one already holding its identifiers (and PHYSICIAN).

    Which identifiers make two records one patient is KINDS' (the hospital settings'): a shared
    hospital id or national number does, a shared visit number never does on its own.
    Plain statements, no ORM objects: an SIU pull upserts thousands of patients in one
    transaction, and the unit of work's flush per patient cost more than the rest of the pull.
    Nothing is written before every check has passed, so a refusal leaves the transaction as
    it was."""
    wanted = {(i.system, i.value) for i in patient.identifiers}
    held = _same_patient(_holders(session, patient.identifiers), wanted, kinds)
    values = _demographics(patient)
    physician_id = physician.id if physician is not None else None
    now = clock()
    try:
        if held is not None:
            changed = held.values != values or not wanted <= held.identifiers.keys()
            update: dict[str, object] = {**values, "updated_at": now} if changed else {}
            if patient.remote_id and held.remote_id != patient.remote_id:
                update["remote_id"] = patient.remote_id
            if physician_id is not None and held.physician_id != physician_id:
                update["physician_id"] = physician_id
            remote_id = cast(str | None, update.get("remote_id", held.remote_id))
            physician_id = cast(int | None, update.get("physician_id", held.physician_id))
            if not update:
                return Upserted(
                    held.key, False, False, None, values, held.identifiers, remote_id, physician_id
                )
            key, created, held_ids = held.key, False, held.identifiers
            _update_of(tuple(sorted(update))).execute(session, {**update, "patient": key.id})
        else:
            uid = str(uuid.uuid4())
            row = {**values, "uid": uid, "remote_id": patient.remote_id, "physician_id": physician_id,
                   "created_at": now, "updated_at": now}  # fmt: skip
            new_id = _INSERT_PATIENT.insert_rowid(session, row)
            key, created, changed, held_ids = PatientKey(new_id, uid), True, True, {}
            remote_id = patient.remote_id
        added = sorted(wanted - held_ids.keys())
        if added:
            rows = [{"patient_id": key.id, "system": s, "value": v} for s, v in added]
            _INSERT_IDENTIFIERS.execute_many(session, rows)
    except IntegrityError as exc:  # another writer took an identifier between our read and write
        raise DuplicateIdentifier.taken() from exc
    held_now = [*held_ids, *added]
    if not changed:
        return Upserted(key, False, False, None, values, held_now, remote_id, physician_id)
    identifiers = [Identifier(s, v) for s, v in (*sorted(held_ids), *added)]
    if session.info.get("has_fts"):
        index_patient(
            session, key.id, str(values["search_name"]), [i.value for i in identifiers], new=created
        )
    payload = {"uid": key.uid, **to_wire(from_columns(values, identifiers))}
    return Upserted(key, created, changed, payload, values, held_now, remote_id, physician_id)


def save_from_hospital(
    session: Writes,
    patient: Patient,
    physician: Physician | None,
    *,
    actor: str,
    source: str,
    clock: Clock = utcnow,
    kinds: IdentifierKinds = DEMO_IDENTIFIER_KINDS,
) -> tuple[Upserted, Physician | None]:
    """Upsert a hospital patient with its physician, queue it for the backend and audit it,
    all in SESSION's transaction. Shared by the import dialog and the SIU pull.

    A patient the hospital sends again unchanged (the same person's next appointment) is not
    pushed again, since the backend already has exactly this record; the save is still audited."""
    physician_row = ensure_physician(session, physician) if physician else None
    upserted = upsert_row(session, patient, clock, physician_row, kinds)
    if upserted.payload is not None:
        payload = dict(upserted.payload)
        if physician_row is not None:  # travels with the patient to the backend
            payload["physician_code"], payload["physician_name"] = physician_row.code, physician_row.name
        outbox.enqueue(session, "patient.upsert", payload, actor=actor)
    action = "patient.imported" if upserted.created else "patient.updated"
    detail = f"source={source}" if upserted.changed else f"source={source}; unchanged"
    audit.record(session, actor, action, subject=f"patient:{upserted.key.id}", detail=detail, clock=clock)
    return upserted, physician_row


class PatientRepository:
    def __init__(self, db: CacheDatabase, clock: Clock = utcnow) -> None:
        self._db = db
        self._clock = clock

    def save_imported(
        self,
        patient: Patient,
        *,
        physician: Physician | None,
        actor: str,
        source: str,
        kinds: IdentifierKinds = DEMO_IDENTIFIER_KINDS,
    ) -> SavedPatient:
        """Save a patient fetched from the hospital; a known identifier updates that patient
        (which identifiers make it known: KINDS, the hospital settings' identifier_kinds)."""
        # Prepared statements only, no ORM session: the audit row and the queued change are
        # buffered into plain inserts too.
        with self._db.driver_transaction() as tx, deferred.buffering(tx):
            upserted, _physician = save_from_hospital(
                tx, patient, physician, actor=actor, source=source, clock=self._clock, kinds=kinds
            )
        # Built from what was written (the upsert checked it all), not read back.
        return SavedPatient(upserted.patient(), upserted.created)

    def get(self, patient_id: int) -> Patient | None:
        with self._db.reading() as session:
            row = session.get(PatientRow, patient_id)
            return to_patient(row) if row else None

    def record_viewed(self, patient_id: int, actor: str) -> Patient | None:
        """Return the patient and audit the view in one transaction."""
        with self._db.transaction() as session:
            row = session.get(PatientRow, patient_id)
            if row is None:
                return None
            audit.record(session, actor, "patient.viewed", subject=f"patient:{row.id}", clock=self._clock)
            return to_patient(row)

    def find_by_identifier(self, value: str, system: str | None = None) -> list[int]:
        """Exact identifier match: what a barcode scan means."""
        stmt = select(PatientIdentifierRow.patient_id).where(PatientIdentifierRow.value == value)
        if system:
            stmt = stmt.where(PatientIdentifierRow.system == system)
        with self._db.reading() as session:
            return list(dict.fromkeys(session.scalars(stmt)))

    def summaries(self, ids: list[int]) -> list[PatientSummary]:
        with self._db.reading() as session:
            return self._summaries(session, ids)

    def count(self) -> int:
        with self._db.reading() as session:
            return session.execute(text("SELECT count(*) FROM patients")).scalar_one()

    def search(self, raw: str, limit: int = SEARCH_LIMIT) -> list[PatientSummary]:
        """Name prefixes and identifier values, insensitive to case and diacritics: the newest
        LIMIT matches, by name. Nothing typed: the LIMIT patients changed last, newest first."""
        query = SearchQuery(raw)
        if not query.tokens:
            return _summaries_of(self._db.read_rows(_RECENT, {"limit": limit}))
        if self._db.has_fts:
            return _summaries_of(self._db.read_rows(_MATCHES, {"match": query.fts_match(), "limit": limit}))
        with self._db.reading() as session:
            return self._summaries(session, self._like_ids(session, query, limit))

    def search_like(self, raw: str, limit: int = SEARCH_LIMIT) -> list[PatientSummary]:
        """The fallback for SQLite builds without FTS5 (and the benchmark's comparison)."""
        with self._db.reading() as session:
            return self._summaries(session, self._like_ids(session, SearchQuery(raw), limit))

    @staticmethod
    def _like_ids(session: Session, query: SearchQuery, limit: int) -> list[int]:
        prefix = query.like_prefix()
        return list(
            session.execute(
                text(
                    "SELECT id FROM patients WHERE search_name LIKE :p ESCAPE '\\' "
                    "OR id IN (SELECT patient_id FROM patient_identifiers WHERE value LIKE :v ESCAPE '\\') "
                    "ORDER BY search_name LIMIT :limit"
                ),
                {
                    "p": prefix,
                    "v": query.like_value_prefix(),
                    "limit": limit,
                },
            ).scalars()
        )

    @staticmethod
    def _summaries(session: Session, ids: list[int]) -> list[PatientSummary]:
        """Summaries of IDS, in that order."""
        if not ids:
            return []
        rows = session.connection().exec_driver_sql(_GIVEN, {"ids": json.dumps(ids)}).all()
        found = {p.id: p for p in _summaries_of(rows)}
        return [found[i] for i in ids if i in found]


# A patient's identifiers from ix_identifiers_of_patient alone (it holds system and value).
_HELD_IDENTIFIERS = (
    "(SELECT group_concat(system || char(31) || value, char(30)) FROM (SELECT system, value "
    "FROM patient_identifiers WHERE patient_id = p.id ORDER BY id))"
)
# The patient list's rows, built by SQLite in one statement (the list is rebuilt on every
# keystroke): demographics and the identifiers as "system US value RS …", in their order.
_ROW = (
    "SELECT p.id, p.family_name, p.given_name, p.birth_date, p.sex, "
    + _HELD_IDENTIFIERS
    + " FROM {rows} AS m JOIN patients p ON p.id = m.id"
)
# The newest LIMIT matches in the index's own order (no sort of every match), then by name.
_MATCHES = (
    _ROW.format(
        rows="(SELECT rowid AS id FROM patient_search WHERE patient_search MATCH :match ORDER BY rowid DESC "
        "LIMIT :limit)"
    )
    + " ORDER BY p.search_name, p.id"
)
# Read backwards along ix_patients_recent, which holds every column the row shows: LIMIT index
# entries read, in order, whatever the cache holds, and no patient row.
_RECENT = (
    f"SELECT p.id, p.family_name, p.given_name, p.birth_date, p.sex, {_HELD_IDENTIFIERS} FROM patients p "
    "ORDER BY p.updated_at DESC, p.id DESC LIMIT :limit"
)
_GIVEN = _ROW.format(rows="(SELECT value AS id FROM json_each(:ids))")


def _summaries_of(rows: Iterable[Sequence[Any]]) -> list[PatientSummary]:
    day = date.fromisoformat
    return [
        PatientSummary(id, family, given, day(birth) if birth else None, sex, held)
        for id, family, given, birth, sex, held in rows
    ]
