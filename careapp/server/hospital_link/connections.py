"""Hospital connections: one per hospital, kept by admins; what the wire codecs need of each."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from careapp.integrations.config import HospitalConfig, IdentifierRule
from careapp.prepared import Prepared
from careapp.server.context import Tx
from careapp.server.hospital_link.schemas import HospitalConnectionIn
from careapp.server.models import HospitalConnectionRow
from careapp.server.services.common import conflict, get_or_404

# Session.info key: the enabled connections as read once per transaction (a batch completes many).
_CONNECTIONS_KEY = "careapp.hospital_link.connections"


def default_rules(body: HospitalConnectionIn) -> list[dict[str, str]]:
    """Without rules: the hospital facility's PI and MR are its patient id, its VN the visit."""
    rules = [
        {"authority": body.hospital_facility, "type_code": code, "system": body.patient_id_system}
        for code in ("PI", "MR")
    ]
    if body.visit_number_system:
        rules.append(
            {"authority": body.hospital_facility, "type_code": "VN", "system": body.visit_number_system}
        )
    return rules


def _apply(row: HospitalConnectionRow, body: HospitalConnectionIn) -> None:
    values = body.model_dump(mode="json")
    values["identifier_rules"] = values["identifier_rules"] or default_rules(body)
    for key, value in values.items():
        setattr(row, key, value)


def view(row: HospitalConnectionRow) -> dict[str, Any]:
    fields = set(HospitalConnectionIn.model_fields) | {"id", "created_at", "updated_at"}
    return {name: getattr(row, name) for name in fields}


def create(tx: Tx, body: HospitalConnectionIn) -> HospitalConnectionRow:
    row = HospitalConnectionRow(created_at=tx.now, updated_at=tx.now)
    _apply(row, body)
    tx.session.add(row)
    _flush_unique(tx)
    tx.audit("hospital_connection.created", resource_type="hospital_connection", resource_id=row.id)
    return row


def _flush_unique(tx: Tx) -> None:
    try:
        with tx.session.begin_nested():
            tx.session.flush()
    except IntegrityError:
        raise conflict(
            "hospital-connection-exists", "This hospital (application and facility) has a connection already."
        ) from None
    tx.session.info.pop(_CONNECTIONS_KEY, None)


def get(tx: Tx, connection_id: str, *, for_update: bool = False) -> HospitalConnectionRow:
    return get_or_404(
        tx.session, HospitalConnectionRow, connection_id, "hospital connection", for_update=for_update
    )


def replace(tx: Tx, connection_id: str, body: HospitalConnectionIn) -> HospitalConnectionRow:
    row = get(tx, connection_id, for_update=True)
    _apply(row, body)
    row.updated_at = tx.now
    _flush_unique(tx)
    tx.audit("hospital_connection.updated", resource_type="hospital_connection", resource_id=row.id)
    return row


def delete(tx: Tx, connection_id: str) -> None:
    tx.session.delete(get(tx, connection_id, for_update=True))
    tx.session.info.pop(_CONNECTIONS_KEY, None)
    tx.audit("hospital_connection.deleted", resource_type="hospital_connection", resource_id=connection_id)


def list_connections(tx: Tx, *, limit: int, offset: int) -> tuple[list[HospitalConnectionRow], int]:
    total = tx.session.scalar(select(func.count()).select_from(HospitalConnectionRow)) or 0
    rows = tx.session.scalars(
        select(HospitalConnectionRow)
        .order_by(HospitalConnectionRow.created_at, HospitalConnectionRow.id)
        .limit(limit)
        .offset(offset)
    )
    return list(rows), total


_IS_ENABLED = HospitalConnectionRow.enabled.is_(True)
_ANY_ENABLED = Prepared(select(HospitalConnectionRow.id).where(_IS_ENABLED).limit(1))


def enabled(tx: Tx) -> list[HospitalConnectionRow]:
    """The enabled connections, read once per transaction."""
    cached: list[HospitalConnectionRow] | None = tx.session.info.get(_CONNECTIONS_KEY)
    if cached is None:
        # Without flushing: the connections do not depend on what is pending, and a flush here (the
        # first result of a batch) would split the batch's grouped INSERTs in two.
        # Most deployments send no results: a prepared look on the driver says so without an ORM
        # query (a care flow start that calculates a score asks).
        if _ANY_ENABLED.first(tx.session, {}) is None:
            cached = []
        else:
            with tx.session.no_autoflush:
                cached = list(tx.session.scalars(select(HospitalConnectionRow).where(_IS_ENABLED)))
        tx.session.info[_CONNECTIONS_KEY] = cached
    return cached


def by_sender(tx: Tx, application: str, facility: str) -> HospitalConnectionRow | None:
    """The connection of the hospital that sent a message as MSH-3/MSH-4 (case as configured)."""
    return tx.session.scalar(
        select(HospitalConnectionRow).where(
            HospitalConnectionRow.hospital_application == application,
            HospitalConnectionRow.hospital_facility == facility,
        )
    )


def hospital_config(row: HospitalConnectionRow) -> HospitalConfig:
    """The connection as the HL7 codecs the desktop's import uses know a hospital (PID, MSH)."""
    return HospitalConfig(
        hl7_host=row.mllp_host or "127.0.0.1",
        hl7_port=row.mllp_port or 2575,
        patient_id_system=row.patient_id_system,
        visit_number_system=row.visit_number_system or "",
        sending_application=row.our_application,
        sending_facility=row.our_facility,
        receiving_application=row.hospital_application,
        receiving_facility=row.hospital_facility,
        hl7_version="2.5",
        hl7_encoding=row.charset,
        identifier_rules=tuple(
            IdentifierRule(r["authority"], r["type_code"], r["system"]) for r in row.identifier_rules
        ),
    )
