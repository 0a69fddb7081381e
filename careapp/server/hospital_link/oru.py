"""The one codec of a result message in HL7 v2.5.1: ResultRecord → ORU^R01 text.

    MSH|^~\\&|CAREAPP|WARD|HIS|HOSP|20310304100000+0100||ORU^R01^ORU_R01|R3F…|P|2.5.1|||||||UNICODE UTF-8
    PID|1||100001^^^HOSP^PI||Peeters^An^^^^^L||19800101|F
    OBR|1||<activity id>^CAREAPP|phq-9-form^How have you been feeling?^99CAREAPP|||20310304…|…|F
    OBX|1|CWE|44250-9^Little interest…^LN^item-1^…^99CAREAPP||LA6569-3^Several days^LN^…||||||F|||…

One OBX per answer or score. OBX-3 is the data point's code where the definition names one (with
the local code as the alternate), the local code otherwise; a choice's OBX-5 likewise. Every
value is escaped; long text keeps its line breaks as ``\\.br\\``.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

from careapp.domain.codings import LOINC, SNOMED_CT, Coding
from careapp.integrations.config import HospitalConfig
from careapp.integrations.hl7.codec import escape
from careapp.integrations.mapping import pid_fields
from careapp.server.hospital_link.results import YES_NO_SYSTEM, Choice, Observation, ResultRecord, ValueKind

VERSION = "2.5.1"
LOCAL_SYSTEM = "99CAREAPP"  # HL7 table 0396: 99zzz is a locally defined coding system
# HL7 table 0396 names of the code systems definitions use; others travel as local codes.
_TABLE_0396 = {LOINC: "LN", SNOMED_CT: "SCT", YES_NO_SYSTEM: "HL70136"}


def new_control_id() -> str:
    """MSH-10: 20 characters (2.5.1's ST length), unique, the same on every retry."""
    return "R" + uuid.uuid4().hex[:19].upper()


def _ts(when: datetime, zone: ZoneInfo) -> str:
    return when.astimezone(zone).strftime("%Y%m%d%H%M%S%z")


def _cwe(local: str, text: str, code: Coding | None) -> str:
    """code^text^system[^local^text^99CAREAPP]: the definition's code first when it has one."""
    local_part = f"{escape(local)}^{escape(text)}^{LOCAL_SYSTEM}"
    system = _TABLE_0396.get(code.system) if code else None
    if code is None or system is None:
        return local_part
    if system.startswith("HL7"):  # an HL7 table (yes/no) is no one's local code
        return f"{escape(code.code)}^{escape(code.display or text)}^{system}"
    return f"{escape(code.code)}^{escape(code.display or text)}^{system}^{local_part}"


def _value(obs: Observation) -> str:
    if obs.kind is ValueKind.CODED:
        choices: tuple[Choice, ...] = obs.value
        return "~".join(_cwe(c.value, c.label, c.code) for c in choices)
    if obs.kind is ValueKind.DATE:
        value: date = obs.value
        return value.strftime("%Y%m%d")
    if obs.kind is ValueKind.NUMBER:
        number = obs.value
        return str(int(number)) if float(number).is_integer() else repr(float(number))
    text = escape(str(obs.value))
    if obs.kind is ValueKind.TEXT:
        text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\.br\\")
    else:
        text = " ".join(text.split())  # ST is one line
    return text


def oru_r01(
    record: ResultRecord, config: HospitalConfig, control_id: str, now: datetime, zone: ZoneInfo
) -> str:
    """The ORU^R01 of RECORD for the hospital CONFIG describes (MSH-3..6, MSH-18, PID-3 systems)."""
    observed = _ts(record.observed_at, zone)
    msh = [
        "MSH", "^~\\&", escape(config.sending_application), escape(config.sending_facility),
        escape(config.receiving_application), escape(config.receiving_facility), _ts(now, zone), "",
        "ORU^R01^ORU_R01", control_id, "P", VERSION, "", "", "", "", "", escape(config.hl7_encoding),
    ]  # fmt: skip
    segments = ["|".join(msh), "|".join(pid_fields(record.patient, config))]
    visit = next(
        (i.value for i in record.patient.identifiers if i.system == config.visit_number_system), None
    )
    if visit:
        segments.append("|".join(["PV1", "1", "N", *[""] * 16, escape(visit)]))
    obr = ["OBR", "1", "", f"{escape(record.activity_id)}^CAREAPP",
           _cwe(record.activity_key, record.activity_title, None), "", "", observed, *[""] * 14, observed,
           "", "", "F"]  # fmt: skip
    segments.append("|".join(obr))
    for n, obs in enumerate(record.observations, start=1):
        obx = ["OBX", str(n), obs.kind.value, _cwe(obs.local_code, obs.label, obs.code), "", _value(obs),
               "", "", "", "", "", "F", "", "", observed]  # fmt: skip
        segments.append("|".join(obx))
    return "\r".join(segments) + "\r"
