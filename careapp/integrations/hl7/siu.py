"""SIU^S12 (notification of a new appointment) → Appointment, one per message in a file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from careapp.domain.patient import Physician
from careapp.integrations.config import HospitalConfig
from careapp.integrations.errors import MalformedMessage
from careapp.integrations.hl7.codec import DecodeError, decode
from careapp.integrations.hl7.message import Message, ParseError, parse_text, split_messages
from careapp.integrations.mapping import identifiers_from_cx, physician_from_xcn

HANDLED_EVENTS = ("S12",)


@dataclass(frozen=True, slots=True)
class Appointment:
    message_key: str  # MSH-10 + SCH-1: the idempotency key
    control_id: str  # MSH-10, the only message detail safe to log
    patient_id: str  # hospital patient id (PID-3, by the configured identifier rules)
    visit_number: str | None  # PV1-19
    service_codes: tuple[str, ...]  # AIS-3, SCH-8, SCH-7 identifiers, most specific first
    physician: Physician | None  # AIP-3, else PV1-7
    start: datetime | None


@dataclass(frozen=True, slots=True)
class Ignored:
    """A well-formed message of an event we do not act on (e.g. S14 modification)."""

    control_id: str
    event: str


@dataclass(frozen=True, slots=True)
class Rejected:
    control_id: str
    error: MalformedMessage


SiuItem = Appointment | Ignored | Rejected


def read_siu_file(data: bytes, config: HospitalConfig) -> list[SiuItem]:
    """A file (one message, or an FHS/BHS batch) → one item per message.

    Raises MalformedMessage when the file as a whole is unusable (empty, undecodable, no MSH).
    """
    if not data.strip():
        raise MalformedMessage("the file is empty")
    try:
        text = decode(data, config.hl7_fallback_charset)
    except DecodeError as exc:
        raise MalformedMessage(str(exc)) from None
    try:
        messages = split_messages(text)
    except ParseError as exc:
        raise MalformedMessage(str(exc)) from None
    if not messages:
        raise MalformedMessage("the file holds no MSH segment")
    return [_item(m, config) for m in messages]


def _item(text: str, config: HospitalConfig) -> SiuItem:
    control_id = ""
    try:
        message = parse_text(text)
        control_id = message.control_id
        code, event = message.message_type
        if code != "SIU":
            raise MalformedMessage(f"message {control_id[:20]} is {code or 'untyped'}, not SIU")
        if event not in HANDLED_EVENTS:
            return Ignored(control_id, event)
        return appointment_from_message(message, config)
    except ParseError as exc:
        return Rejected(control_id, MalformedMessage(str(exc)))
    except MalformedMessage as exc:
        return Rejected(control_id, exc)


def appointment_from_message(message: Message, config: HospitalConfig) -> Appointment:
    control_id = message.control_id
    sch, pid = message.first("SCH"), message.first("PID")
    if sch is None:
        raise MalformedMessage(f"message {control_id[:20]} has no SCH segment")
    if pid is None:
        raise MalformedMessage(f"message {control_id[:20]} has no PID segment")
    appointment_id = sch.field(1) or sch.field(2)  # placer id; filler id when no placer
    if not appointment_id:
        raise MalformedMessage(f"message {control_id[:20]} has no appointment id (SCH-1)")
    ids = identifiers_from_cx(pid.repetitions(3), config)
    patient_id = next((i.value for i in ids if i.system == config.patient_id_system), None)
    if not patient_id:
        raise MalformedMessage(f"message {control_id[:20]} has no hospital patient id in PID-3")
    pv1 = message.first("PV1")
    visit = None
    if pv1 is not None:
        visits = identifiers_from_cx(pv1.repetitions(19), config, default_type="VN")
        visit = next((v.value for v in visits if v.system == config.visit_number_system), None)
    codes = [ais.component(3, 1) for ais in message.all("AIS")]
    codes += [sch.component(8, 1), sch.component(7, 1)]
    physician = None
    for aip in message.all("AIP"):
        reps = aip.repetitions(3)
        if reps and (physician := physician_from_xcn(reps[0])):
            break
    if physician is None and pv1 is not None and pv1.repetitions(7):
        physician = physician_from_xcn(pv1.repetitions(7)[0])
    return Appointment(
        message_key=f"{control_id}|{appointment_id}",
        control_id=control_id,
        patient_id=patient_id,
        visit_number=visit,
        service_codes=tuple(c for c in codes if c),
        physician=physician,
        start=_start(sch.component(11, 4) or next((a.field(4) for a in message.all("AIS")), "")),
    )


def _start(text: str) -> datetime | None:
    try:
        return datetime.strptime(text[:12], "%Y%m%d%H%M") if len(text) >= 12 else None
    except ValueError:
        return None
