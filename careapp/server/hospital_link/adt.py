"""ADT in: admit, register, discharge, update, cancel admit and merge messages from a hospital.

One acknowledgement per message against its MSH-10, sent after the commit that holds it
(messages that arrived back to back share one transaction, each in its own savepoint):

- the sender (MSH-3/MSH-4) must be a connected hospital, else AR;
- the patient is upserted by the hospital's identifier through the desktop's PID codec and the
  hospital push's rules (the hospital is the source of truth for demographics), in SQLAlchemy
  Core when the patient exists (``patients.upsert_pushed``);
- the connection's rules start or stop care flows, with baseline values from the message
  (``discharge_date`` = PV1-45); an open care flow of the definition is never started twice;
- A40 moves care flows and identifiers of MRG-1's patient to PID-3's;
- a message already answered AA (same MSH-10 from the same hospital) is answered AA again and
  changes nothing; a bad one is answered AE with the reason and changes nothing at all.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Text, bindparam, select, type_coerce
from sqlalchemy.orm import Session

from careapp.domain.careflow import ValueType
from careapp.domain.patient_record import to_wire
from careapp.integrations.config import HospitalConfig
from careapp.integrations.errors import HospitalError
from careapp.integrations.hl7.codec import DecodeError, codec_for, escape
from careapp.integrations.hl7.message import Message, ParseError, parse_bytes
from careapp.integrations.mapping import hl7_date, identifiers_from_cx, patient_from_pid
from careapp.server import engine
from careapp.server.context import AppendOnlyRows, CredentialKind, Principal, Services, Tx
from careapp.server.hospital_link import connections
from careapp.server.hospital_link.schemas import AdtRule
from careapp.server.models import AdtReceiptRow, HospitalConnectionRow, PatientRow
from careapp.server.problems import ProblemError
from careapp.server.schemas.patients import IdentifierIn, PatientPush
from careapp.server.services import definitions, patients

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
    return handle_batch(services, [payload])[0]


def handle_batch(services: Services, payloads: Sequence[bytes]) -> list[Acknowledgement]:
    """Messages that arrived back to back on one connection → their acknowledgements, in order.
    Never raises.

    They are processed in one transaction (one commit, one fsync, for all of them), each in a
    savepoint of its own when there are several, so a refused one changes nothing and the others
    are kept. The answers are only returned after the commit: an AA is never sent for a message
    that could still be lost; when the commit fails, every one of them is answered AE."""
    now = services.clock.now()
    answers: list[Acknowledgement | None] = []
    to_store: list[tuple[int, Message, str]] = []
    for payload in payloads:
        try:
            message = parse_bytes(payload)
        except ParseError as exc:
            answers.append(_ack(None, "AE", f"Not an HL7 message: {exc}", now))
            continue
        kind, event = message.message_type
        if kind != "ADT" or event not in EVENTS:
            refused = Refused(
                "AR", f"Unsupported message type {kind[:3]}^{event[:3]}: ADT A01, A03, A04, A08, A11, A40"
            )
            answers.append(_refused(message, event, refused, now))
            continue
        to_store.append((len(answers), message, event))
        answers.append(None)
    if len(to_store) == 1:
        index, message, event = to_store[0]
        answers[index] = _one(services, message, event, now)
    elif to_store:
        _several(services, to_store, answers, now)
    return [answer for answer in answers if answer is not None]


def _one(services: Services, message: Message, event: str, now: datetime) -> Acknowledgement:
    """A message on its own: refused, it is rolled back with its whole transaction."""
    try:
        with services.db.transaction() as session:
            return _Receiver(services, session, now).receive(message, event)
    except Refused as exc:
        return _refused(message, event, exc, now)
    except Exception as exc:  # the database is down, say: nothing was kept, the hospital resends
        return _not_stored(message, event, exc, now)


def _several(
    services: Services,
    to_store: list[tuple[int, Message, str]],
    answers: list[Acknowledgement | None],
    now: datetime,
) -> None:
    try:
        with services.db.transaction() as session:
            receiver = _Receiver(services, session, now)
            for index, message, event in to_store:
                try:
                    with session.begin_nested():
                        answers[index] = receiver.receive(message, event)
                except Refused as exc:  # its savepoint is rolled back: the message changed nothing
                    answers[index] = _refused(message, event, exc, now)
                except Exception as exc:
                    answers[index] = _not_stored(message, event, exc, now)
    except Exception as exc:  # the commit failed: nothing of the batch is kept
        for index, message, event in to_store:
            answers[index] = _not_stored(message, event, exc, now)


def _refused(message: Message, event: str, exc: Refused, now: datetime) -> Acknowledgement:
    log.info("ADT %s %s answered %s", event[:3], message.control_id[:40], exc.code)
    return _ack(message, exc.code, exc.reason, now)


def _not_stored(message: Message, event: str, exc: Exception, now: datetime) -> Acknowledgement:
    log.warning("ADT %s %s not stored: %s", event[:3], message.control_id[:40], type(exc).__name__)
    return _ack(message, "AE", "The message could not be stored now; send it again", now)


@dataclass(frozen=True)
class Link:
    """What processing a message needs of its hospital's connection."""

    id: str
    patient_id_system: str
    config: HospitalConfig
    rules: tuple[AdtRule, ...]
    # Attributed to the hospital's connection (its id, as an API key's would be).
    principal: Principal


# The connection's columns a Link is made of, the JSON ones as stored (text): the row read is
# the cache key, so a connection edited by any worker is simply another key.
_CONNECTIONS = HospitalConnectionRow.__table__
_LINK_COLUMNS = ("id", "patient_id_system", "visit_number_system", "mllp_host", "mllp_port",
                 "our_application", "our_facility", "hospital_application", "hospital_facility",
                 "charset")  # fmt: skip
_RECEIPTS = AdtReceiptRow.__table__
_SEEN = select(_RECEIPTS.c.ack_code).where(
    _RECEIPTS.c.connection_id == bindparam("connection_id"),
    _RECEIPTS.c.control_id == bindparam("control_id"),
)
# The sender's connection and, in the same query, the answer already given to this MSH-10.
_LINK_AND_SEEN = (
    select(
        *(_CONNECTIONS.c[name] for name in _LINK_COLUMNS),
        type_coerce(_CONNECTIONS.c.identifier_rules, Text).label("identifier_rules"),
        type_coerce(_CONNECTIONS.c.adt_rules, Text).label("adt_rules"),
        _RECEIPTS.c.ack_code,
    )
    .select_from(
        _CONNECTIONS.outerjoin(
            _RECEIPTS,
            (_RECEIPTS.c.connection_id == _CONNECTIONS.c.id)
            & (_RECEIPTS.c.control_id == bindparam("control_id")),
        )
    )
    .where(
        _CONNECTIONS.c.hospital_application == bindparam("application"),
        _CONNECTIONS.c.hospital_facility == bindparam("facility"),
        _CONNECTIONS.c.enabled.is_(True),
    )
)
_LINKS: dict[tuple[Any, ...], Link] = {}
_MAX_LINKS = 256


def _link(row: Any) -> Link:
    key = tuple(row)[:-1]  # without the receipt's ack_code
    link = _LINKS.get(key)
    if link is None:
        values = row._asdict()
        del values["ack_code"]
        values["identifier_rules"] = json.loads(values["identifier_rules"] or "[]")
        rules = tuple(AdtRule.model_validate(raw) for raw in json.loads(values.pop("adt_rules") or "[]"))
        config = connections.hospital_config(HospitalConnectionRow(**values))
        principal = Principal(CredentialKind.SYSTEM, row.id, "system")
        link = Link(row.id, row.patient_id_system, config, rules, principal)
        if len(_LINKS) >= _MAX_LINKS:
            _LINKS.clear()
        _LINKS[key] = link
    return link


class _Receiver:
    """Stores messages in one transaction; the connections it read stay known for it."""

    def __init__(self, services: Services, session: Session, now: datetime) -> None:
        self.services, self.session, self.now = services, session, now
        self._links: dict[tuple[str, str], Link] = {}
        self._feed_locked = False

    def _sender(self, message: Message, control_id: str) -> tuple[Link, str | None]:
        """The sender's connection, and the answer given before to CONTROL_ID (None if none)."""
        sender = (message.msh.field(3), message.msh.field(4))
        link = self._links.get(sender)
        if link is not None:
            seen = self.session.execute(_SEEN, {"connection_id": link.id, "control_id": control_id})
            return link, seen.scalar()
        params = {"application": sender[0], "facility": sender[1], "control_id": control_id}
        row = self.session.execute(_LINK_AND_SEEN, params).first()
        if row is None:
            raise Refused("AR", "Unknown sending application and facility (MSH-3, MSH-4)")
        link = self._links[sender] = _link(row)
        return link, row.ack_code

    def receive(self, message: Message, event: str) -> Acknowledgement:
        """MESSAGE processed, or already processed; raises Refused (and anything else) when not."""
        control_id = message.control_id[:199]
        link, seen = self._sender(message, control_id)
        if seen is not None:
            return _ack(message, seen, "Already processed", self.now)
        tx = Tx(self.session, link.principal, self.services, self.services.clock.now())
        # Audit, change-feed and receipt rows are only written: one INSERT per table at the end.
        tx.bulk_rows = AppendOnlyRows()
        tx.bulk_rows.feed_locked = self._feed_locked
        try:
            patient_id = apply(tx, link, message, event)
        except (Refused, ProblemError, ValidationError, HospitalError, ValueError) as exc:
            # Raised out of the transaction (or savepoint): everything the message did is undone.
            raise Refused("AE", _reason(exc)) from None
        tx.bulk_rows.add(
            AdtReceiptRow,
            connection_id=link.id,
            control_id=control_id,
            event=event,
            ack_code="AA",
            ack_text="",
            patient_id=patient_id,
            received_at=tx.now,
        )
        tx.bulk_rows.write(self.session)
        self._feed_locked = tx.bulk_rows.feed_locked
        return _ack(message, "AA", "", self.now)


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


def _upsert(tx: Tx, link: Link, message: Message) -> str:
    """The patient of the message's PID created or updated by the hospital's id; their id."""
    pid = message.first("PID")
    if pid is None:
        raise Refused("AE", "No PID segment")
    patient = patient_from_pid(pid, link.config, message.first("PV1"))
    key = next(i for i in patient.identifiers if i.system == link.patient_id_system)
    push = PatientPush.model_validate(
        {"identifier": {"system": key.system, "value": key.value}, "patient": to_wire(patient)}
    )
    patient_id, _created = patients.upsert_pushed(tx, push.identifier, push.patient, push.patient.identifiers)
    return patient_id


def apply(tx: Tx, link: Link, message: Message, event: str) -> str:
    """Process MESSAGE for the hospital of LINK; returns the patient's id. Raises on anything bad."""
    patient_id = _upsert(tx, link, message)
    if event == "A40":
        _merge(tx, link, message, _patient(tx, patient_id))
    for rule in link.rules:
        if rule.event != event or (rule.ward and _ward(message) != rule.ward):
            continue
        if rule.action == "start":
            if engine.open_flow_of(tx, patient_id, rule.definition_id) is None:
                survivor = _patient(tx, patient_id)
                engine.start(tx, survivor, rule.definition_id, None, _baseline(tx, rule, message))
        else:
            flow = engine.open_flow_of(tx, patient_id, rule.definition_id)
            if flow is not None:
                engine.stop(tx, flow.id, f"Stopped by the hospital's ADT^{event}")
    return patient_id


def _patient(tx: Tx, patient_id: str) -> PatientRow:
    row = tx.session.get(PatientRow, patient_id)
    assert row is not None
    return row


def _ward(message: Message) -> str:
    pv1 = message.first("PV1")
    return pv1.component(3, 1) if pv1 else ""


def _merge(tx: Tx, link: Link, message: Message, survivor: PatientRow) -> None:
    mrg = message.first("MRG")
    if mrg is None:
        raise Refused("AE", "A40 without an MRG segment")
    retired_ids = identifiers_from_cx(mrg.repetitions(1), link.config, default_type="PI")
    retired_id = next((i for i in retired_ids if i.system == link.patient_id_system), None)
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
