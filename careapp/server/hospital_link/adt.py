"""ADT in: admit, register, discharge, update, cancel admit and merge messages from a hospital.

One message, one transaction, one acknowledgement against its MSH-10:

- the sender (MSH-3/MSH-4) must be a connected hospital, else AR;
- the patient is upserted by the hospital's identifier through the desktop's PID codec and the
  hospital push (the hospital is the source of truth for demographics);
- the connection's rules start or stop care flows, with baseline values from the message
  (``discharge_date`` = PV1-45); an open care flow of the definition is never started twice;
- A40 moves care flows and identifiers of MRG-1's patient to PID-3's;
- a message already answered AA (same MSH-10 from the same hospital) is answered AA again and
  changes nothing; a bad one is answered AE with the reason and changes nothing at all.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select

from careapp.domain.careflow import ValueType
from careapp.domain.patient_record import to_wire
from careapp.integrations.errors import HospitalError
from careapp.integrations.hl7.codec import DecodeError, codec_for, escape
from careapp.integrations.hl7.message import Message, ParseError, parse_bytes
from careapp.integrations.mapping import hl7_date, identifiers_from_cx, patient_from_pid
from careapp.server import engine
from careapp.server.context import CredentialKind, Principal, Services, Tx
from careapp.server.hospital_link import connections
from careapp.server.hospital_link.schemas import AdtRule
from careapp.server.models import AdtReceiptRow, HospitalConnectionRow, PatientRow
from careapp.server.problems import ProblemError
from careapp.server.schemas.patients import IdentifierIn, PatientPush
from careapp.server.services import definitions, hospital_push, patients

log = logging.getLogger("careapp.server.hospital_link.adt")

EVENTS = ("A01", "A03", "A04", "A08", "A11", "A40")


class Refused(Exception):
    """The message is not processed: CODE (AE, AR) and a reason for the hospital (no PHI)."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code, self.reason = code, reason[:300]


@dataclass(frozen=True)
class Acknowledgement:
    code: str  # AA, AE, AR
    text: str
    control_id: str  # the MSH-10 answered
    wire: bytes


def _ack(message: Message | None, code: str, text: str, now: datetime) -> Acknowledgement:
    msh = message.msh if message else None
    control_id = message.control_id if message else ""
    event = message.message_type[1] if message else ""
    sender = (msh.field(3), msh.field(4)) if msh else ("", "")
    receiver = (msh.field(5), msh.field(6)) if msh else ("CAREAPP", "CAREAPP")
    version = (msh.field(12) if msh else "") or "2.5.1"
    charset = msh.field(18) if msh else ""
    segments = [
        "|".join(["MSH", "^~\\&", escape(receiver[0]), escape(receiver[1]), escape(sender[0]),
                  escape(sender[1]), now.strftime("%Y%m%d%H%M%S%z"), "", f"ACK^{escape(event)}^ACK",
                  f"A{control_id[-19:]}" if control_id else "ACK", "P", escape(version), "", "", "", "", "",
                  escape(charset)]),
        "|".join(["MSA", code, escape(control_id), escape(text)]),
    ]  # fmt: skip
    if code != "AA":
        segments.append(f"ERR|||207^Application internal error^HL70357|E||||{escape(text)}")
    text_out = "\r".join(segments) + "\r"
    try:
        wire = text_out.encode(_codec(charset))
    except UnicodeEncodeError:
        wire = text_out.encode("utf-8", "replace")
    return Acknowledgement(code, text, control_id, wire)


def _codec(charset: str) -> str:
    try:
        return codec_for(charset)
    except DecodeError:
        return "utf-8"


def handle(services: Services, payload: bytes) -> Acknowledgement:
    """One ADT message (MLLP payload) → its acknowledgement. Never raises."""
    now = services.clock.now()
    try:
        message = parse_bytes(payload)
    except ParseError as exc:
        return _ack(None, "AE", f"Not an HL7 message: {exc}", now)
    kind, event = message.message_type
    try:
        if kind != "ADT" or event not in EVENTS:
            raise Refused(
                "AR", f"Unsupported message type {kind[:3]}^{event[:3]}: ADT A01, A03, A04, A08, A11, A40"
            )
        with services.db.transaction() as session:
            connection = _sender(session, message)
            # Attributed to the hospital's connection (its id, as an API key's would be).
            principal = Principal(CredentialKind.SYSTEM, connection.id, "system")
            tx = Tx(session, principal, services, services.clock.now())
            seen = session.scalar(
                select(AdtReceiptRow).where(
                    AdtReceiptRow.connection_id == connection.id,
                    AdtReceiptRow.control_id == message.control_id,
                )
            )
            if seen is not None:
                return _ack(message, seen.ack_code, "Already processed", now)
            try:
                patient_id = apply(tx, connection, message, event)
            except (Refused, ProblemError, ValidationError, HospitalError, ValueError) as exc:
                # Raised out of the transaction: everything the message did is rolled back.
                raise Refused("AE", _reason(exc)) from None
            session.add(
                AdtReceiptRow(
                    connection_id=connection.id,
                    control_id=message.control_id[:199],
                    event=event,
                    ack_code="AA",
                    ack_text="",
                    patient_id=patient_id,
                    received_at=tx.now,
                )
            )
    except Refused as exc:
        log.info("ADT %s %s answered %s", event[:3], message.control_id[:40], exc.code)
        return _ack(message, exc.code, exc.reason, now)
    except Exception as exc:  # the database is down, say: nothing was kept, the hospital resends
        log.warning("ADT %s %s not stored: %s", event[:3], message.control_id[:40], type(exc).__name__)
        return _ack(message, "AE", "The message could not be stored now; send it again", now)
    return _ack(message, "AA", "", now)


def _sender(session: Any, message: Message) -> HospitalConnectionRow:
    msh = message.msh
    row = session.scalar(
        select(HospitalConnectionRow).where(
            HospitalConnectionRow.hospital_application == msh.field(3),
            HospitalConnectionRow.hospital_facility == msh.field(4),
            HospitalConnectionRow.enabled.is_(True),
        )
    )
    if row is None:
        raise Refused("AR", "Unknown sending application and facility (MSH-3, MSH-4)")
    return row


def _reason(exc: Exception) -> str:
    if isinstance(exc, Refused):
        return exc.reason
    if isinstance(exc, ProblemError):
        return exc.detail or exc.slug
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        return f"PID does not fit a patient record ({where}: {first.get('msg', 'invalid')})"
    if isinstance(exc, HospitalError):
        return str(exc)
    return str(exc) or type(exc).__name__


def _upsert(tx: Tx, connection: HospitalConnectionRow, message: Message) -> PatientRow:
    pid = message.first("PID")
    if pid is None:
        raise Refused("AE", "No PID segment")
    config = connections.hospital_config(connection)
    patient = patient_from_pid(pid, config, message.first("PV1"))
    wire = to_wire(patient)
    key = next(i for i in patient.identifiers if i.system == connection.patient_id_system)
    push = PatientPush.model_validate(
        {"identifier": {"system": key.system, "value": key.value}, "patient": wire}
    )
    _status, answer = hospital_push.apply_push(tx, push)
    row = tx.session.get(PatientRow, answer["patient"]["id"])
    assert row is not None
    return row


def apply(tx: Tx, connection: HospitalConnectionRow, message: Message, event: str) -> str:
    """Process MESSAGE for CONNECTION; returns the patient's id. Raises on anything bad."""
    survivor = _upsert(tx, connection, message)
    if event == "A40":
        _merge(tx, connection, message, survivor)
    for raw in connection.adt_rules or ():
        rule = AdtRule.model_validate(raw)
        if rule.event != event or (rule.ward and _ward(message) != rule.ward):
            continue
        if rule.action == "start":
            if engine.open_flow_of(tx, survivor.id, rule.definition_id) is None:
                engine.start(tx, survivor, rule.definition_id, None, _baseline(tx, rule, message))
        else:
            flow = engine.open_flow_of(tx, survivor.id, rule.definition_id)
            if flow is not None:
                engine.stop(tx, flow.id, f"Stopped by the hospital's ADT^{event}")
    return survivor.id


def _ward(message: Message) -> str:
    pv1 = message.first("PV1")
    return pv1.component(3, 1) if pv1 else ""


def _merge(tx: Tx, connection: HospitalConnectionRow, message: Message, survivor: PatientRow) -> None:
    mrg = message.first("MRG")
    if mrg is None:
        raise Refused("AE", "A40 without an MRG segment")
    config = connections.hospital_config(connection)
    retired_ids = identifiers_from_cx(mrg.repetitions(1), config, default_type="PI")
    retired_id = next((i for i in retired_ids if i.system == connection.patient_id_system), None)
    if retired_id is None:
        raise Refused("AE", "MRG-1 carries no patient id of this hospital")
    retired = patients.find_by_identifiers(
        tx.session, [IdentifierIn(system=retired_id.system, value=retired_id.value)]
    )
    if retired is None:
        return  # nothing of the old record here: the survivor is all there is
    patients.merge(tx, survivor, retired)


def _baseline(tx: Tx, rule: AdtRule, message: Message) -> dict[str, Any]:
    _number, doc = definitions.require_published(tx.services, tx.session, rule.definition_id, None)
    out: dict[str, Any] = {}
    for source in rule.baseline:
        text = _field(message, source.field)
        if not text:
            continue
        point = doc.data_point(source.data_point)
        if point is not None and point.value_type is ValueType.DATE:
            day = hl7_date(text) or _iso_date(text)
            if day is None:
                raise Refused("AE", f"{source.field} is not a date")
            out[source.data_point] = day.isoformat()
        elif point is not None and point.value_type is ValueType.NUMBER:
            try:
                out[source.data_point] = float(text)
            except ValueError:
                raise Refused("AE", f"{source.field} is not a number") from None
        else:
            out[source.data_point] = text
    return out


def _iso_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _field(message: Message, ref: str) -> str:
    """PV1-45 or PV1-3.1: the first repetition's component (1 when not given), unescaped."""
    name, _, position = ref.partition("-")
    number, _, component = position.partition(".")
    segment = message.first(name)
    if segment is None:
        return ""
    return segment.component(int(number), int(component or 1))
