"""Patients: create-or-return by identifier, versioned updates, lookup, hospital push."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, insert, or_, select, tuple_
from sqlalchemy import update as sql_update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from careapp.domain.identifiers import IdentifierKinds
from careapp.domain.patient import fold
from careapp.server.context import Tx
from careapp.server.models import (
    ActivityRow,
    CareFlowAlertRow,
    CareFlowRow,
    HostedPagesLinkRow,
    HostedPagesSessionRow,
    IdentifierSystemRow,
    PatientIdentifierRow,
    PatientRow,
    PhysicianRow,
    ResultMessageRow,
)
from careapp.server.models.directory import ONE_PER_PATIENT
from careapp.server.schemas.patients import (
    Demographics,
    IdentifierIn,
    PatientCreate,
    PatientUpdate,
    patient_fields,
)
from careapp.server.services.common import conflict, get_or_404, invalid

_KNOWN_SYSTEMS = "careapp.patients.known_identifier_systems"
# A mapped class's table is a Table; SQLAlchemy declares __table__ a FromClause.
_PATIENTS = cast(Table, PatientRow.__table__)
_IDS = cast(Table, PatientIdentifierRow.__table__)
_OTHER = _IDS.alias("held")
_SYSTEMS_TABLE = IdentifierSystemRow.__table__
_SYSTEMS = select(_SYSTEMS_TABLE.c.uri, _SYSTEMS_TABLE.c.name, _SYSTEMS_TABLE.c.kind).where(
    _SYSTEMS_TABLE.c.uri.in_(bindparam("uris", expanding=True))
)


def _systems(session: Session, uris: set[str]) -> dict[str, tuple[str, str]]:
    """URI → (name, kind) of the configured systems among URIS and those asked before in this
    transaction, so a batch of patients asks once per system."""
    known: dict[str, tuple[str, str]] = session.info.setdefault(_KNOWN_SYSTEMS, {})
    if missing := uris - known.keys():
        for uri, name, kind in session.execute(_SYSTEMS, {"uris": sorted(missing)}):
            known[uri] = (name, kind)
    return known


def _label(name: str) -> str:
    """A system's name inside a sentence: "Visit number" → "visit number", "MRN" stays."""
    return name[:1].lower() + name[1:] if name[1:2].islower() else name


def _kinds(session: Session, uris: set[str]) -> IdentifierKinds:
    known = _systems(session, uris)
    return IdentifierKinds(
        frozenset(uri for uri in uris if known[uri][1] == ONE_PER_PATIENT),
        tuple((uri, _label(known[uri][0])) for uri in sorted(uris)),
    )


def _check_identifiers(session: Session, identifiers: Sequence[IdentifierIn]) -> None:
    pairs = [(i.system, i.value) for i in identifiers]
    if len(set(pairs)) != len(pairs):
        raise invalid("duplicate-identifier", "The same identifier is given twice.")
    systems = {i.system for i in identifiers}
    if unknown := sorted(systems - _systems(session, systems).keys()):
        raise invalid(
            "unknown-identifier-system",
            "Identifier systems must be configured first (POST /v1/identifier-systems).",
            systems=unknown,
        )


def _check_physician(session: Session, physician_id: str | None) -> None:
    if physician_id is not None and session.get(PhysicianRow, physician_id) is None:
        raise invalid("unknown-physician", "physician_id is not a known physician.")


def find_by_identifiers(session: Session, identifiers: Sequence[IdentifierIn]) -> PatientRow | None:
    """The one patient holding any of IDENTIFIERS; 409 if they point at different patients.
    A lookup (each (system, value) is one patient's); a record to save is matched by
    match_record, which asks more of a shared identifier."""
    if not identifiers:
        return None
    clauses = [
        (PatientIdentifierRow.system == i.system) & (PatientIdentifierRow.value == i.value)
        for i in identifiers
    ]
    from sqlalchemy import or_

    ids = set(session.scalars(select(PatientIdentifierRow.patient_id).where(or_(*clauses))))
    if len(ids) > 1:
        raise conflict("identifiers-disagree", "These identifiers belong to different patients.")
    return session.get(PatientRow, ids.pop()) if ids else None


def _holders(session: Session, identifiers: Sequence[IdentifierIn]) -> list[PatientRow]:
    """Every patient holding one of IDENTIFIERS, locked: the one matched is then updated."""
    pairs = {(i.system, i.value) for i in identifiers}
    query = (
        select(PatientRow)
        .join(PatientRow.identifiers)
        .where(_any_of(PatientIdentifierRow.system, PatientIdentifierRow.value, pairs))
        .order_by(PatientRow.id)
    )
    return list(session.scalars(query.with_for_update(of=PatientRow)).unique())


def _same_patient(
    session: Session, identifiers: Sequence[IdentifierIn], holders: Sequence[PatientRow]
) -> PatientRow | None:
    """The one of HOLDERS the record with IDENTIFIERS is, None for a new patient. By the
    desktop's rule (IdentifierKinds.clash) over the systems' kinds: a shared hospital id or
    national number makes it that patient, a shared visit number alone never does, and another
    value of a one-per-patient system makes it someone else. Refused (409) otherwise."""
    held = {row.id: {(i.system, i.value) for i in row.identifiers} for row in holders}
    found = _same_holder(session, {(i.system, i.value) for i in identifiers}, held)
    return next(row for row in holders if row.id == found) if found else None


def _same_holder(
    session: Session, wanted: set[tuple[str, str]], held: Mapping[str, set[tuple[str, str]]]
) -> str | None:
    """_same_patient over pairs: HELD is each holder's id → its (system, value) pairs, in id order."""
    kinds = _kinds(session, {system for system, _value in wanted})
    for pairs in held.values():
        clash = kinds.clash(wanted, pairs)
        if clash is not None:
            raise conflict("identifier-conflict", clash.sentence("on this backend"))
    if len(held) > 1:
        raise conflict("identifiers-disagree", "These identifiers belong to different patients.")
    return next(iter(held), None)


def match_record(session: Session, identifiers: Sequence[IdentifierIn]) -> PatientRow | None:
    """The patient a record to be saved is (see _same_patient), None for a new one."""
    return _same_patient(session, identifiers, _holders(session, identifiers)) if identifiers else None


def _new_patient(tx: Tx, demographics: Demographics, identifiers: Sequence[IdentifierIn]) -> PatientRow:
    fields = patient_fields(demographics)
    row = PatientRow(
        version=1,
        family_name=fields["family_name"],
        given_name=fields.get("given_name") or "",
        birth_date=fields.get("birth_date"),
        sex=fields.get("sex") or "unknown",
        phone=fields.get("phone"),
        email=fields.get("email"),
        address=fields.get("address"),
        language=fields.get("language"),
        physician_id=demographics.physician_id,
        created_at=tx.now,
        updated_at=tx.now,
    )
    row.identifiers = [PatientIdentifierRow(system=i.system, value=i.value) for i in identifiers]
    return row


def create(tx: Tx, body: PatientCreate) -> tuple[PatientRow, bool]:
    """Create the patient, or return the one its identifiers name (match_record: a shared visit
    number alone names nobody; a record that is not the patient holding its identifier is 409).

    The unique constraint on (system, value) decides races: the loser's insert fails inside a
    savepoint and it returns the winner's patient.
    """
    _check_identifiers(tx.session, body.identifiers)
    _check_physician(tx.session, body.physician_id)
    existing = match_record(tx.session, body.identifiers)
    if existing is None:
        row = _new_patient(tx, body, body.identifiers)
        try:
            with tx.session.begin_nested():
                tx.session.add(row)
        except IntegrityError:
            existing = match_record(tx.session, body.identifiers)
            if existing is None:
                raise
        else:
            tx.audit("patient.created", patient_id=row.id, resource_type="patient", resource_id=row.id)
            tx.change("patient", row.id, "created", row.id)
            return row, True
    tx.audit("patient.viewed", patient_id=existing.id, resource_type="patient", resource_id=existing.id)
    return existing, False


def get(tx: Tx, patient_id: str) -> PatientRow:
    row = get_or_404(tx.session, PatientRow, patient_id, "patient")
    tx.audit("patient.viewed", patient_id=row.id, resource_type="patient", resource_id=row.id)
    return row


def lookup(tx: Tx, identifier: IdentifierIn) -> PatientRow | None:
    row = find_by_identifiers(tx.session, [identifier])
    tx.audit(
        "patient.looked_up",
        patient_id=row.id if row else None,
        resource_type="patient",
        resource_id=row.id if row else None,
    )
    return row


def _like_prefix(text: str) -> str:
    """TEXT as a LIKE prefix pattern: its own %, _ and \\ match only themselves."""
    return text.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_") + "%"


def search(
    tx: Tx, *, name: str | None, limit: int, offset: int, after: str | None = None
) -> tuple[list[PatientRow], int]:
    """Patients by family-name prefix, in name order; with AFTER, those whose id sorts after it,
    in id order (keyset paging: a patient renamed meanwhile neither moves nor goes missing)."""
    query = select(PatientRow)
    if name:
        # Prefix on family name; folding in SQL is backend-specific, so compare case-insensitively.
        query = query.where(func.lower(PatientRow.family_name).like(_like_prefix(fold(name)), escape="\\"))
    total = tx.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    if after is not None:
        ordered = query.where(PatientRow.id > after).order_by(PatientRow.id).limit(limit)
    else:
        ordered = query.order_by(PatientRow.family_name, PatientRow.given_name, PatientRow.id)
        ordered = ordered.limit(limit).offset(offset)
    rows = list(tx.session.scalars(ordered))
    for row in rows:
        tx.audit("patient.listed", patient_id=row.id, resource_type="patient", resource_id=row.id)
    return rows, total


def _replace_identifiers(tx: Tx, row: PatientRow, identifiers: Sequence[IdentifierIn]) -> None:
    _check_identifiers(tx.session, identifiers)
    wanted = {(i.system, i.value) for i in identifiers}
    current = {(i.system, i.value): i for i in row.identifiers}
    for pair, ident in current.items():
        if pair not in wanted:
            row.identifiers.remove(ident)
    for system, value in wanted - set(current):
        row.identifiers.append(PatientIdentifierRow(system=system, value=value))


def _changes(tx: Tx, body: Demographics | PatientUpdate) -> dict[str, Any]:
    """The columns BODY sets on a patient, updated_at included."""
    values: dict[str, Any] = {}
    for name, value in patient_fields(body).items():
        if name in ("family_name", "sex") and value is None:
            continue  # required fields are never cleared
        values[name] = "" if name == "given_name" and value is None else value
    if "physician_id" in body.model_fields_set:
        _check_physician(tx.session, body.physician_id)
        values["physician_id"] = body.physician_id
    # Always touch the row so its version moves even when only identifiers changed.
    values["updated_at"] = tx.now
    return values


def _apply(tx: Tx, row: PatientRow, body: Demographics | PatientUpdate) -> None:
    for name, value in _changes(tx, body).items():
        setattr(row, name, value)


def update(tx: Tx, patient_id: str, body: PatientUpdate) -> PatientRow:
    row = get_or_404(tx.session, PatientRow, patient_id, "patient", for_update=True)
    if body.version != row.version:
        raise conflict("stale-version", f"The patient is at version {row.version}; re-read it and retry.")
    _apply(tx, row, body)
    if body.identifiers is not None:
        _replace_identifiers(tx, row, body.identifiers)
    try:
        with tx.session.begin_nested():
            tx.session.flush()
    except IntegrityError as exc:
        raise conflict("identifier-taken", "An identifier belongs to another patient.") from exc
    tx.audit("patient.updated", patient_id=row.id, resource_type="patient", resource_id=row.id)
    tx.change("patient", row.id, "updated", row.id)
    return row


def _pushed_identifiers(key: IdentifierIn, extra: Sequence[IdentifierIn]) -> list[IdentifierIn]:
    return [key, *[i for i in extra if (i.system, i.value) != (key.system, key.value)]]


def _imported(tx: Tx, patient_id: str, action: str) -> None:
    tx.audit("patient.imported", patient_id=patient_id, resource_type="patient", resource_id=patient_id)
    tx.change("patient", patient_id, action, patient_id)


def _merge_pushed(
    tx: Tx, row: PatientRow, demographics: Demographics, identifiers: Sequence[IdentifierIn]
) -> None:
    """The hospital's demographics over ROW's, and any identifier ROW lacks (none is removed)."""
    _apply(tx, row, demographics)
    have = {(i.system, i.value) for i in row.identifiers}
    for ident in identifiers:
        if (ident.system, ident.value) not in have:
            row.identifiers.append(PatientIdentifierRow(system=ident.system, value=ident.value))


def upsert_by_identifier(
    tx: Tx, key: IdentifierIn, demographics: Demographics, extra: Sequence[IdentifierIn]
) -> tuple[PatientRow, bool]:
    """The hospital push: the hospital is the source of truth for demographics. The patient is
    the one KEY and EXTRA name by match_record, whichever of them the hospital keys by."""
    identifiers = _pushed_identifiers(key, extra)
    _check_identifiers(tx.session, identifiers)
    _check_physician(tx.session, demographics.physician_id)
    row = match_record(tx.session, identifiers)
    if row is None:
        new = _new_patient(tx, demographics, identifiers)
        try:
            with tx.session.begin_nested():
                tx.session.add(new)
        except IntegrityError:
            row = match_record(tx.session, identifiers)
            if row is None:
                raise conflict("identifier-taken", "An identifier belongs to another patient.") from None
        else:
            _imported(tx, new.id, "created")
            return new, True
    tx.session.refresh(row, with_for_update=True)
    _merge_pushed(tx, row, demographics, identifiers)
    try:
        with tx.session.begin_nested():
            tx.session.flush()
    except IntegrityError as exc:
        raise conflict("identifier-taken", "An identifier belongs to another patient.") from exc
    _imported(tx, row.id, "updated")
    return row, False


_HOLDERS = (
    select(_OTHER.c.patient_id, _OTHER.c.system, _OTHER.c.value)
    .select_from(
        _IDS.join(_PATIENTS, _PATIENTS.c.id == _IDS.c.patient_id).join(
            _OTHER, _OTHER.c.patient_id == _IDS.c.patient_id
        )
    )
    .order_by(_OTHER.c.patient_id)
    .with_for_update(of=_PATIENTS)
)
_ADD_IDENTIFIERS = insert(_IDS)
# The demographics are bound by column name when it runs.
_UPDATE = (
    sql_update(_PATIENTS)
    .where(_PATIENTS.c.id == bindparam("patient_id"))
    .values(version=_PATIENTS.c.version + 1)
)


def _any_of(system: Any, value: Any, pairs: Iterable[tuple[Any, Any]]) -> Any:
    """(SYSTEM, VALUE) is one of PAIRS, as ORs of ANDs: SQLite searches its unique index for
    each (for a row-value IN it scans the table)."""
    return or_(*((system == s) & (value == v) for s, v in pairs))


@functools.cache
def _holders_of(count: int) -> Any:
    """_HOLDERS for COUNT pairs, bound as s0, v0, s1, v1, …: built once per count."""
    pairs: list[tuple[Any, Any]] = [(bindparam(f"s{n}"), bindparam(f"v{n}")) for n in range(count)]
    return _HOLDERS.where(_any_of(_IDS.c.system, _IDS.c.value, pairs))


def _held(session: Session, pairs: Iterable[tuple[str, str]]) -> dict[str, set[tuple[str, str]]]:
    """Every patient holding one of PAIRS, locked, with all its identifiers: id → pairs, in id order."""
    params: dict[str, str] = {}
    for n, (system, value) in enumerate(pairs):
        params[f"s{n}"], params[f"v{n}"] = system, value
    held: dict[str, set[tuple[str, str]]] = {}
    for patient_id, system, value in session.execute(_holders_of(len(params) // 2), params):
        held.setdefault(patient_id, set()).add((system, value))
    return held


def upsert_pushed(
    tx: Tx, key: IdentifierIn, demographics: Demographics, extra: Sequence[IdentifierIn]
) -> tuple[str, bool]:
    """upsert_by_identifier in SQLAlchemy Core for the hospital's feed, where nearly every message
    updates a patient we have: one query finds the holders with all their identifiers, one UPDATE
    writes the demographics (and moves the version), one INSERT adds the identifiers the patient
    lacks. The same checks, rules and answers; a new patient is created by upsert_by_identifier.
    Returns (patient id, created)."""
    identifiers = _pushed_identifiers(key, extra)
    _check_identifiers(tx.session, identifiers)
    _check_physician(tx.session, demographics.physician_id)
    wanted = {(i.system, i.value) for i in identifiers}
    held = _held(tx.session, wanted)
    if not held:
        row, created = upsert_by_identifier(tx, key, demographics, extra)
        return row.id, created
    patient_id = _same_holder(tx.session, wanted, held)
    assert patient_id is not None
    values = _changes(tx, demographics)
    tx.session.execute(_UPDATE, {"patient_id": patient_id, **values})
    have = held[patient_id]
    missing = [
        {"patient_id": patient_id, "system": i.system, "value": i.value}
        for i in identifiers
        if (i.system, i.value) not in have
    ]
    if missing:
        try:
            with tx.session.begin_nested():
                tx.session.execute(_ADD_IDENTIFIERS, missing)
        except IntegrityError as exc:
            raise conflict("identifier-taken", "An identifier belongs to another patient.") from exc
    # A copy of the patient the session loaded earlier in this transaction is now out of date.
    if (loaded := tx.session.identity_map.get(identity_key(PatientRow, patient_id))) is not None:
        tx.session.expire(loaded)
    _imported(tx, patient_id, "updated")
    return patient_id, False


class PatientIndex:
    """Patients by identifier for a transaction that writes many (POST /v1/batch).

    Filled by one query for every identifier the batch names, and kept current as the batch
    creates patients, so each change needs no lookup of its own. An identifier it was not
    filled with is looked up in the database as usual.
    """

    def __init__(self, session: Session, identifiers: Iterable[tuple[str, str]]) -> None:
        self._session = session
        wanted = set(identifiers)
        self._by_identifier: dict[tuple[str, str], PatientRow | None] = dict.fromkeys(wanted)
        if wanted:
            query = (
                select(PatientRow)
                .join(PatientRow.identifiers)
                .where(tuple_(PatientIdentifierRow.system, PatientIdentifierRow.value).in_(wanted))
            )
            for row in session.scalars(query.with_for_update(of=PatientRow)).unique():
                self.add(row)

    def add(self, row: PatientRow) -> None:
        for ident in row.identifiers:
            self._by_identifier[ident.system, ident.value] = row

    def holders(self, identifiers: Sequence[IdentifierIn]) -> list[PatientRow]:
        """The distinct patients holding one of IDENTIFIERS."""
        found = {id(row): row for row in map(self.find, identifiers) if row is not None}
        return list(found.values())

    def find(self, identifier: IdentifierIn) -> PatientRow | None:
        pair = (identifier.system, identifier.value)
        if pair not in self._by_identifier:
            self._by_identifier[pair] = find_by_identifiers(self._session, [identifier])
        return self._by_identifier[pair]


def upsert_in_bulk(
    tx: Tx, index: PatientIndex, key: IdentifierIn, demographics: Demographics, extra: Sequence[IdentifierIn]
) -> tuple[PatientRow, bool]:
    """upsert_by_identifier for a batch: no savepoint and no flush per patient.

    A clash on an identifier surfaces as IntegrityError at the caller's flush; the caller then
    runs its batch again through upsert_by_identifier, which answers it per patient.
    """
    identifiers = _pushed_identifiers(key, extra)
    _check_identifiers(tx.session, identifiers)
    _check_physician(tx.session, demographics.physician_id)
    row = _same_patient(tx.session, identifiers, index.holders(identifiers))
    if row is None:
        row = _new_patient(tx, demographics, identifiers)
        tx.session.add(row)
        index.add(row)
        _imported(tx, row.id, "created")
        return row, True
    _merge_pushed(tx, row, demographics, identifiers)
    if row not in tx.session.new:
        tx.session.flush()  # the answer carries the patient's new version, set by the UPDATE
    index.add(row)
    _imported(tx, row.id, "updated")
    return row, False


def merge(tx: Tx, survivor: PatientRow, retired: PatientRow) -> None:
    """HL7 A40: RETIRED was the same person as SURVIVOR. Every care flow, activity, alert, link,
    session and result of RETIRED moves to SURVIVOR, and so does each identifier of a system
    SURVIVOR has none of; the retired record keeps the rest (its superseded ids) and nothing else."""
    if survivor.id == retired.id:
        return
    moved_flows = list(tx.session.scalars(select(CareFlowRow.id).where(CareFlowRow.patient_id == retired.id)))
    for model in (CareFlowRow, ActivityRow, CareFlowAlertRow, HostedPagesLinkRow, HostedPagesSessionRow,
                  ResultMessageRow):  # fmt: skip
        tx.session.execute(
            sql_update(model).where(model.patient_id == retired.id).values(patient_id=survivor.id),
            execution_options={"synchronize_session": False},
        )
    systems = {i.system for i in survivor.identifiers}
    for identifier in list(retired.identifiers):
        if identifier.system not in systems:
            retired.identifiers.remove(identifier)
            tx.session.flush()  # the unique (system, value) is free before the survivor takes it
            survivor.identifiers.append(
                PatientIdentifierRow(system=identifier.system, value=identifier.value)
            )
    survivor.updated_at = retired.updated_at = tx.now
    tx.session.flush()
    tx.session.expire_all()  # rows moved by the UPDATEs above are read again as they are now
    for flow_id in moved_flows:
        tx.change("care_flow", flow_id, "updated", survivor.id)
    tx.audit("patient.merged", patient_id=survivor.id, resource_type="patient", resource_id=retired.id)
    tx.change("patient", survivor.id, "updated", survivor.id)
    tx.change("patient", retired.id, "updated", retired.id)
