"""The hospital's side of HL7 v2: parse a QRY^A19, build ADR^A19 / NAKs and SIU^S12.

Written independently of careapp.integrations on purpose: the simulator is the client's test
peer, and sharing a codec would let the same bug hide on both sides.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime

from careapp.hospital_sim.patients import AUTHORITY, Doctor, SimPatient

VERSIONS = ("2.3", "2.4", "2.5")
# MSH-18 value → codec. The reply uses the query's MSH-18 when it can encode the patient.
CHARSETS = {"": "ascii", "ASCII": "ascii", "8859/1": "latin-1", "UNICODE UTF-8": "utf-8"}
UTF8 = "UNICODE UTF-8"
_ESCAPES = (("\\", "\\E\\"), ("|", "\\F\\"), ("^", "\\S\\"), ("&", "\\T\\"), ("~", "\\R\\"))
_ids = itertools.count(1)


def esc(text: str) -> str:
    for char, code in _ESCAPES:
        text = text.replace(char, code)
    return text


def control_id(prefix: str = "HIS") -> str:
    return f"{prefix}{next(_ids):010d}"


@dataclass(frozen=True, slots=True)
class Query:
    control_id: str
    version: str
    charset: str
    message_type: str  # e.g. "QRY^A19"
    query_tag: str  # QRD-4
    value: str  # QRD-8.1
    type_code: str  # QRD-8.13: PI (default), VN or NH
    sending_app: str
    sending_facility: str
    qrd: str  # the raw QRD segment, echoed in the reply


def _unescape(text: str) -> str:
    for char, code in reversed(_ESCAPES):
        text = text.replace(code, char)
    return text


def parse_query(text: str) -> Query:
    """Raises ValueError for anything that is not a usable HL7 message."""
    segments = [s for s in text.replace("\r\n", "\r").replace("\n", "\r").split("\r") if s]
    if not segments or not segments[0].startswith("MSH") or len(segments[0]) < 8:
        raise ValueError("no MSH segment")
    sep = segments[0][3]
    msh = segments[0].split(sep)
    msh = ["MSH", sep, *msh[1:]]  # HL7 numbering: msh[n] is MSH-n
    get = lambda f, n: f[n] if len(f) > n else ""  # noqa: E731
    qrd = next((s for s in segments if s.startswith("QRD")), "")
    qrd_fields = qrd.split(sep) if qrd else []
    who = get(qrd_fields, 8).split("~")[0].split("^")
    return Query(
        control_id=get(msh, 10),
        version=get(msh, 12).split("^")[0],
        charset=get(msh, 18).split("^")[0].strip().upper(),
        message_type="^".join(get(msh, 9).split("^")[:2]),
        query_tag=get(qrd_fields, 4),
        value=_unescape(who[0]) if who else "",
        type_code=(who[12] if len(who) > 12 else "") or "PI",
        sending_app=get(msh, 3),
        sending_facility=get(msh, 4),
        qrd=qrd,
    )


def _now() -> str:
    return datetime.now().strftime("%Y%m%d%H%M%S")


def _msh(query: Query | None, message_type: str, version: str, charset: str, ctrl: str) -> str:
    to_app, to_fac = (query.sending_app, query.sending_facility) if query else ("CAREAPP", "WARD")
    return (
        f"MSH|^~\\&|HIS|{AUTHORITY}|{esc(to_app)}|{esc(to_fac)}|{_now()}||{message_type}|{ctrl}|P|"
        f"{version}||||||{charset}"
    )


def _type(version: str, code: str, event: str, structure: str) -> str:
    return f"{code}^{event}" if version == "2.3" else f"{code}^{event}^{structure}"


def pid_segment(patient: SimPatient) -> str:
    ids = "~".join(f"{esc(i.value)}^^^{i.authority}^{i.type_code}" for i in patient.ids)
    name = f"{esc(patient.family)}^{esc(patient.given)}^^^^^L"
    address = f"{esc(patient.street)}^^{esc(patient.city)}^^{patient.postal_code}^{patient.country}"
    phone = f"{esc(patient.phone)}^PRN^PH"
    if patient.email:
        phone += f"~^NET^Internet^{esc(patient.email)}"
    fields = ["PID", "1", "", ids, "", name, "", f"{patient.birth_date:%Y%m%d}", patient.sex,
              "", "", address, "", phone, "", patient.language]  # fmt: skip
    return "|".join(fields)


def doctor_xcn(doctor: Doctor) -> str:
    return f"{doctor.code}^{esc(doctor.family)}^{esc(doctor.given)}^^^{esc(doctor.prefix)}"


def pv1_segment(patient: SimPatient, visit: str) -> str:
    fields = ["PV1", "1", "O", "CARDIO^101^A", "", "", "", doctor_xcn(patient.doctor)]
    fields += [""] * 11 + [f"{visit}^^^{AUTHORITY}^VN"]  # PV1-8 … PV1-18 empty, PV1-19
    return "|".join(fields)


def _encode(segments: list[str], charset: str) -> bytes:
    return ("\r".join(segments) + "\r").encode(CHARSETS[charset])


def _reply_charset(query: Query, text: str) -> str:
    """The query's charset when it can carry these characters, else UTF-8."""
    wanted = query.charset if query.charset in CHARSETS else UTF8
    try:
        text.encode(CHARSETS[wanted])
    except UnicodeEncodeError:
        return UTF8
    return wanted


def adr_a19(query: Query, patient: SimPatient, visit: str) -> bytes:
    body = [f"MSA|AA|{query.control_id}"]
    if query.version != "2.3":
        body.append(f"QAK|{query.query_tag}|OK")
    body += [query.qrd, pid_segment(patient), pv1_segment(patient, visit)]
    body = [s for s in body if s]
    charset = _reply_charset(query, "\r".join(body))
    msh = _msh(query, _type(query.version, "ADR", "A19", "ADR_A19"), query.version, charset, control_id())
    return _encode([msh, *body], charset)


def not_found(query: Query) -> bytes:
    version = query.version if query.version in VERSIONS else "2.5"
    if version == "2.5":
        err = "ERR|||204^Unknown key identifier^HL70357|E||||Patient not found"
    else:
        err = "ERR|^^^204&Unknown key identifier&HL70357"
    segments = [
        _msh(query, _type(version, "ADR", "A19", "ADR_A19"), version, "", control_id()),
        f"MSA|AE|{query.control_id}|Patient not found",
        err,
    ]
    if version != "2.3":
        segments.append(f"QAK|{query.query_tag}|NF")
    return _encode(segments, "")


def reject(query: Query | None, reason: str) -> bytes:
    """AR: the message itself cannot be processed (unsupported type or version)."""
    version = query.version if query and query.version in VERSIONS else "2.5"
    ctrl = query.control_id if query else ""
    segments = [
        _msh(query, _type(version, "ACK", "A19", "ACK"), version, "", control_id()),
        f"MSA|AR|{esc(ctrl)}|{esc(reason)}",
    ]
    return _encode(segments, "")


def result_ack(query: Query, code: str, reason: str) -> bytes:
    """ACK^R01 to a result: AA, or AE/AR with the reason in MSA-3 and ERR-8."""
    version = query.version or "2.5.1"
    segments = [
        _msh(query, "ACK^R01^ACK", version, "", control_id()),
        f"MSA|{code}|{esc(query.control_id)}" + (f"|{esc(reason)}" if reason else ""),
    ]
    if code != "AA":
        segments.append(f"ERR|||207^Application internal error^HL70357|E||||{esc(reason)}")
    return _encode(segments, "")


def siu_s12(
    patient: SimPatient,
    *,
    ctrl: str,
    appointment_id: str,
    service_code: str,
    service_text: str,
    start: datetime,
    version: str = "2.5",
    charset: str = UTF8,
) -> str:
    """One SIU^S12 (new appointment) message as text; the writer encodes it."""
    when = f"{start:%Y%m%d%H%M%S}"
    visit = patient.visit_numbers[-1]
    segments = [
        _msh(None, _type(version, "SIU", "S12", "SIU_S12"), version, charset, ctrl),
        f"SCH|{appointment_id}^HIS|{appointment_id}^HIS||||S12^New appointment|"
        f"ROUTINE^Routine^HL70276|FOLLOWUP^Follow-up^HL70277|30|min|^^30^{when}||||||||||||||BOOKED",
        pid_segment(patient),
        pv1_segment(patient, visit),
        "RGS|1|A",
        f"AIS|1|A|{service_code}^{esc(service_text)}^L|{when}|||30|min",
        f"AIP|1|A|{doctor_xcn(patient.doctor)}|ATT^Attending",
    ]
    return "\r".join(segments) + "\r"
