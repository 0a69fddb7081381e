"""The backend's patients written into the cache, a page at a time.

A page of the change feed (or a full resync) names hundreds of patients. They are matched to
cached patients with one query by server id and one by identifier value, then written with one
statement per table, instead of loading and flushing ORM objects per patient: that was ~7.5 ms
per patient and made pulling desktop-bound.

Matching: by server id, else by identifier (a cached patient the backend has not named yet),
by the import's rule (IdentifierKinds.clash): only a shared one-per-patient identifier (hospital
id, national number) makes them one; a shared visit number alone never does (the pulled patient
is another one, and the visit number stays with the cached patient). A resource that holds another
value of a one-per-patient system than the cached patient sharing its identifier, whose
identifiers belong to two cached patients, or to one the backend knows under another id, is left
for a person to sort out. Patients whose uid is in
KEEP_DEMOGRAPHICS have a local edit on its way to the backend: their demographics are kept.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from careapp.domain.clock import utcnow
from careapp.domain.identifiers import DEMO_IDENTIFIER_KINDS, IdentifierKinds
from careapp.domain.patient_record import columns, from_wire
from careapp.storage.models import PatientIdentifierRow, PatientRow
from careapp.storage.patients import search_name
from careapp.storage.search import index_patient, indexing_later

log = logging.getLogger(__name__)
_CHUNK = 500  # bound parameters per IN (…): well under SQLite's limit
# Built once: a statement made per patient spent ~3 ms compiling its values.
_PATIENTS = PatientRow.__table__
_INSERT_PATIENT = insert(_PATIENTS).returning(_PATIENTS.c.uid, _PATIENTS.c.id)  # type: ignore[arg-type]  # a mapped class's table is a Table; SQLAlchemy declares __table__ a FromClause


def naive_utc(value: str | None) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


class _Cached:
    """What the cache holds for the patients of one page, kept current while the page applies."""

    def __init__(self, session: Session, remote_ids: list[str], values: list[str]) -> None:
        self.by_remote: dict[str, int] = {}
        self.uid: dict[int, str] = {}
        self.remote_of: dict[int, str | None] = {}
        self.owner: dict[tuple[str, str], int] = {}
        self.held: dict[int, set[tuple[str, str]]] = {}
        patient, ident = PatientRow, PatientIdentifierRow
        for part in chunks(remote_ids):
            for id_, uid, remote_id in session.execute(
                select(patient.id, patient.uid, patient.remote_id).where(patient.remote_id.in_(part))
            ):
                self._know(id_, uid, remote_id)
        for part in chunks(values):
            # Every identifier of each patient holding one of the values: a disagreement shows
            # in the values the page does not name.
            holding = select(ident.patient_id).where(ident.value.in_(part))
            query = (
                select(ident.patient_id, ident.system, ident.value, patient.uid, patient.remote_id)
                .join(patient, patient.id == ident.patient_id)
                .where(ident.patient_id.in_(holding))
            )
            for id_, system, value, uid, remote_id in session.execute(query):
                self._know(id_, uid, remote_id)
                self.owner[(system, value)] = id_
                self.held.setdefault(id_, set()).add((system, value))

    def _know(self, id_: int, uid: str, remote_id: str | None) -> None:
        self.uid[id_] = uid
        self.remote_of[id_] = remote_id
        if remote_id is not None:
            self.by_remote[remote_id] = id_

    def match(
        self, remote_id: str, identifiers: set[tuple[str, str]], kinds: IdentifierKinds
    ) -> int | bool | None:
        """The cached patient's id, None for a new one, False when it cannot be told."""
        found = self.by_remote.get(remote_id)
        if found is not None:
            return found
        owners = []
        for owner in sorted({self.owner[i] for i in identifiers if i in self.owner}):
            clash = kinds.clash(identifiers, self.held[owner])
            if clash is None:
                owners.append(owner)
            elif kinds.identifies(identifiers & self.held[owner]):
                return False  # a shared national number, another hospital id: not ours to decide
        candidates = [o for o in owners if self.remote_of.get(o) in (None, remote_id)]
        if len(owners) > 1 or (owners and not candidates):
            return False
        return candidates[0] if candidates else None


def apply_patients(
    session: Session,
    resources: Sequence[Mapping[str, Any]],
    *,
    keep_demographics: AbstractSet[str] = frozenset(),
    kinds: IdentifierKinds = DEMO_IDENTIFIER_KINDS,
) -> dict[str, int]:
    """Create or update the cached patients RESOURCES describe (oldest first; a later resource of
    the same patient wins). KINDS (the hospital settings') say which shared identifiers make a
    pulled patient a cached one. Returns server id → cache id of every patient applied."""
    decoded = []
    for resource in resources:
        try:
            decoded.append((str(resource["id"]), from_wire(resource), resource))
        except (KeyError, ValueError):
            log.warning("a patient from the backend could not be read; not applied")
    wanted = {(i.system, i.value) for _rid, p, _r in decoded for i in p.identifiers}
    cached = _Cached(session, sorted({rid for rid, _p, _r in decoded}), sorted({v for _s, v in wanted}))
    now = utcnow()
    updates: dict[int, dict[str, Any]] = {}
    # New patients under provisional (negative) ids until one statement inserts them all.
    new_rows: dict[int, dict[str, Any]] = {}
    new_identifiers: list[dict[str, Any]] = []
    applied: dict[str, int] = {}
    for remote_id, patient, resource in decoded:
        identifiers = [(i.system, i.value) for i in patient.identifiers]
        found = cached.match(remote_id, set(identifiers), kinds)
        if found is False:
            log.warning("patient %s matches several cached patients; not applied", remote_id)
            continue
        values = columns(patient)
        values["search_name"] = search_name(values["family_name"], values["given_name"])
        values["updated_at"] = naive_utc(resource.get("updated_at")) or now
        if found is None:
            row = {**values, "uid": str(uuid.uuid4()), "remote_id": remote_id}
            row["created_at"] = naive_utc(resource.get("created_at")) or now
            id_ = -1 - len(new_rows)
            new_rows[id_] = row
            cached._know(id_, row["uid"], remote_id)
        elif found < 0:  # new in this page: its later state wins
            id_ = found
            new_rows[id_].update(values)
        else:
            id_ = found
            change = updates.setdefault(id_, {"pid": id_})
            change["remote_id"] = remote_id
            if cached.uid[id_] not in keep_demographics:
                change.update(values)
            cached._know(id_, cached.uid[id_], remote_id)
        held = cached.held.setdefault(id_, set())
        for key in identifiers:
            if key in held or key in cached.owner:
                continue  # held already, or another patient's: the backend's mix-up stays out
            cached.owner[key] = id_
            held.add(key)
            new_identifiers.append({"patient_id": id_, "system": key[0], "value": key[1]})
        applied[remote_id] = id_
    if new_rows:
        real = _insert(session, new_rows)
        applied = {remote_id: real.get(id_, id_) for remote_id, id_ in applied.items()}
        for identifier in new_identifiers:
            identifier["patient_id"] = real.get(identifier["patient_id"], identifier["patient_id"])
    _write(session, updates, new_identifiers)
    if session.info.get("has_fts") and applied:
        _reindex(session, sorted(set(applied.values())))
    return applied


def _insert(session: Session, rows: dict[int, dict[str, Any]]) -> dict[int, int]:
    """Insert the new patients in one statement; provisional id → cache id."""
    provisional = {row["uid"]: id_ for id_, row in rows.items()}
    inserted = session.connection().execute(_INSERT_PATIENT, list(rows.values()))
    return {provisional[uid]: id_ for uid, id_ in inserted}


def _write(session: Session, updates: dict[int, dict[str, Any]], identifiers: list[dict[str, Any]]) -> None:
    # Rows differ in which columns they set (kept demographics): one statement per shape.
    shapes: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for change in updates.values():
        shapes.setdefault(tuple(sorted(change)), []).append(change)
    for shape, changes in shapes.items():
        names = [n for n in shape if n != "pid"]
        statement = (
            update(PatientRow.__table__)  # type: ignore[arg-type]  # a mapped class's table is a Table; SQLAlchemy declares __table__ a FromClause
            .where(PatientRow.__table__.c.id == bindparam("pid"))
            .values({n: bindparam(n) for n in names})
        )
        session.connection().execute(statement, changes)
    if identifiers:
        session.connection().execute(insert(PatientIdentifierRow.__table__), identifiers)  # type: ignore[arg-type]  # a mapped class's table is a Table; SQLAlchemy declares __table__ a FromClause


def _reindex(session: Session, ids: list[int]) -> None:
    names: dict[int, str] = {}
    values: dict[int, list[str]] = {}
    for part in chunks(ids):
        query = select(PatientRow.id, PatientRow.search_name).where(PatientRow.id.in_(part))
        names.update((id_, name) for id_, name in session.execute(query))
        ident = PatientIdentifierRow
        query = select(ident.patient_id, ident.value).where(ident.patient_id.in_(part)).order_by(ident.id)
        for patient_id, value in session.execute(query):
            values.setdefault(patient_id, []).append(value)
    with indexing_later(session):  # two statements for the page, not two per patient
        for id_ in ids:
            index_patient(session, id_, names[id_], values.get(id_, []))
