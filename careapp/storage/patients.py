"""Patients in the local cache: import-or-update by identifier, lookup and search."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from careapp.domain.clock import Clock, utcnow
from careapp.domain.identifiers import Identifier
from careapp.domain.patient import Patient, Physician, Sex, fold
from careapp.storage import audit, outbox
from careapp.storage.database import CacheDatabase
from careapp.storage.errors import DuplicateIdentifier
from careapp.storage.models import PatientIdentifierRow, PatientRow, PhysicianRow
from careapp.storage.search import SEARCH_LIMIT, SearchQuery, index_patient


@dataclass(frozen=True, slots=True)
class SavedPatient:
    patient: Patient
    created: bool


@dataclass(frozen=True, slots=True)
class PatientSummary:
    """One row of the patient list: what a clinician needs to pick the right person."""

    id: int
    family_name: str
    given_name: str
    birth_date: date | None
    sex: str
    identifiers: tuple[Identifier, ...]

    @property
    def display_name(self) -> str:
        return f"{self.family_name}, {self.given_name}" if self.given_name else self.family_name


def search_name(family: str, given: str) -> str:
    return fold(f"{family} {given}".strip())


def to_patient(row: PatientRow) -> Patient:
    return Patient(
        family_name=row.family_name,
        given_name=row.given_name,
        identifiers=tuple(Identifier(i.system, i.value) for i in row.identifiers),
        birth_date=row.birth_date,
        sex=Sex(row.sex),
        phone=row.phone,
        email=row.email,
        address=row.address,
        language=row.language,
        id=row.id,
        remote_id=row.remote_id,
        physician_id=row.physician_id,
    )


def patient_payload(row: PatientRow) -> dict[str, object]:
    """What the backend needs to create or update this patient (pushed through the outbox)."""
    return {
        "uid": row.uid,
        "family_name": row.family_name,
        "given_name": row.given_name,
        "birth_date": row.birth_date.isoformat() if row.birth_date else None,
        "sex": row.sex,
        "phone": row.phone,
        "email": row.email,
        "address": row.address,
        "language": row.language,
        "identifiers": [{"system": i.system, "value": i.value} for i in row.identifiers],
    }


def ensure_physician(session: Session, physician: Physician) -> PhysicianRow:
    row = session.scalar(select(PhysicianRow).where(PhysicianRow.code == physician.code))
    if row is None:
        row = PhysicianRow(code=physician.code, name=physician.name)
        session.add(row)
        session.flush()
    elif physician.name and row.name != physician.name:
        row.name = physician.name
    return row


def find_owner_rows(session: Session, identifiers: tuple[Identifier, ...]) -> list[PatientRow]:
    """The distinct cached patients that already hold any of IDENTIFIERS."""
    owners: dict[int, PatientRow] = {}
    for ident in identifiers:
        row = session.scalar(
            select(PatientRow)
            .join(PatientIdentifierRow)
            .where(PatientIdentifierRow.system == ident.system, PatientIdentifierRow.value == ident.value)
        )
        if row is not None:
            owners[row.id] = row
    return list(owners.values())


def upsert_row(session: Session, patient: Patient, clock: Clock = utcnow) -> tuple[PatientRow, bool]:
    """Create the patient, or update the one already holding its identifiers."""
    owners = find_owner_rows(session, patient.identifiers)
    if len(owners) > 1:
        raise DuplicateIdentifier(
            "These identifiers belong to two different patients in the cache; "
            "nothing was saved. Ask an admin to review the duplicates."
        )
    now = clock()
    created = not owners
    row = owners[0] if owners else PatientRow(uid=str(uuid.uuid4()), created_at=now)
    row.family_name = patient.family_name.strip()
    row.given_name = patient.given_name.strip()
    row.birth_date = patient.birth_date
    row.sex = patient.sex.value
    row.phone = patient.phone
    row.email = patient.email
    row.address = patient.address
    row.language = patient.language
    row.search_name = search_name(row.family_name, row.given_name)
    row.updated_at = now
    if patient.remote_id:
        row.remote_id = patient.remote_id
    held = {(i.system, i.value) for i in row.identifiers}
    for ident in patient.identifiers:
        if (ident.system, ident.value) not in held:
            row.identifiers.append(PatientIdentifierRow(system=ident.system, value=ident.value))
    if created:
        session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:  # another writer took an identifier between our read and write
        raise DuplicateIdentifier(
            "An identifier of this patient is already in use; nothing was saved."
        ) from exc
    if session.info.get("has_fts"):
        index_patient(session, row.id, row.search_name, [i.value for i in row.identifiers])
    return row, created


def save_from_hospital(
    session: Session,
    patient: Patient,
    physician: Physician | None,
    *,
    actor: str,
    source: str,
    clock: Clock = utcnow,
) -> tuple[PatientRow, PhysicianRow | None, bool]:
    """Upsert a hospital patient with its physician, queue it for the backend and audit it,
    all in SESSION's transaction. Shared by the import dialog and the SIU pull."""
    row, created = upsert_row(session, patient, clock)
    physician_row = ensure_physician(session, physician) if physician else None
    if physician_row is not None:
        row.physician_id = physician_row.id
    outbox.enqueue(session, "patient.upsert", patient_payload(row))
    action = "patient.imported" if created else "patient.updated"
    audit.record(session, actor, action, subject=f"patient:{row.id}", detail=f"source={source}", clock=clock)
    return row, physician_row, created


class PatientRepository:
    def __init__(self, db: CacheDatabase, clock: Clock = utcnow) -> None:
        self._db = db
        self._clock = clock

    def save_imported(
        self, patient: Patient, *, physician: Physician | None, actor: str, source: str
    ) -> SavedPatient:
        """Save a patient fetched from the hospital; a known identifier updates that patient."""
        with self._db.transaction() as session:
            row, _physician, created = save_from_hospital(
                session, patient, physician, actor=actor, source=source, clock=self._clock
            )
            session.flush()
            return SavedPatient(to_patient(row), created)

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
        """Name prefixes and identifier values, insensitive to case and diacritics."""
        query = SearchQuery(raw)
        with self._db.reading() as session:
            if not query.tokens:
                ids = list(
                    session.scalars(select(PatientRow.id).order_by(PatientRow.updated_at.desc()).limit(limit))
                )
            elif self._db.has_fts:
                ids = list(
                    session.execute(
                        text(
                            "SELECT p.id FROM patient_search s JOIN patients p ON p.id = s.rowid "
                            "WHERE patient_search MATCH :match ORDER BY p.search_name LIMIT :limit"
                        ),
                        {"match": query.fts_match(), "limit": limit},
                    ).scalars()
                )
            else:
                ids = self._like_ids(session, query, limit)
            return self._summaries(session, ids)

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
        """Plain rows, no ORM objects: the list is rebuilt on every keystroke."""
        if not ids:
            return []
        columns = (
            PatientRow.id,
            PatientRow.family_name,
            PatientRow.given_name,
            PatientRow.birth_date,
            PatientRow.sex,
        )
        rows = {r.id: r for r in session.execute(select(*columns).where(PatientRow.id.in_(ids)))}
        identifiers: dict[int, list[Identifier]] = {}
        held = select(
            PatientIdentifierRow.patient_id, PatientIdentifierRow.system, PatientIdentifierRow.value
        )
        for patient_id, system, value in session.execute(
            held.where(PatientIdentifierRow.patient_id.in_(ids)).order_by(PatientIdentifierRow.id)
        ):
            identifiers.setdefault(patient_id, []).append(Identifier(system, value))
        return [
            PatientSummary(
                r.id, r.family_name, r.given_name, r.birth_date, r.sex, tuple(identifiers.get(r.id, ()))
            )
            for r in (rows[i] for i in ids if i in rows)
        ]
