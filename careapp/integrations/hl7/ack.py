"""Acknowledgement checks: MSA-1 (AA/AE/AR, CA/CE/CR) and MSA-2 against the query's MSH-10."""

from __future__ import annotations

from careapp.integrations.errors import HospitalRejected, MalformedReply, UnknownPatient
from careapp.integrations.hl7.message import Message, Segment

# HL7 table 0357: 204 = unknown key identifier; QAK-2 NF = no data found.
_UNKNOWN_KEY_CODES = {"204"}


def check_ack(reply: Message, control_id: str, kind: str) -> None:
    """Raise the matching HospitalError unless the reply accepts query ``control_id``."""
    msa = reply.first("MSA")
    if msa is None:
        raise MalformedReply("no MSA segment")
    code = msa.field(1).upper()
    if msa.field(2) != control_id:
        raise MalformedReply("the acknowledgement refers to another message (MSA-2)")
    qak = reply.first("QAK")
    not_found = qak is not None and qak.field(2).upper() == "NF"
    if code in ("AA", "CA"):
        if not_found:
            raise UnknownPatient(kind)
        return
    if code not in ("AE", "AR", "CE", "CR"):
        raise MalformedReply(f"unknown acknowledgement code {code[:8]!r} in MSA-1")
    errors = reply.all("ERR")
    if not_found or any(_error_code(e) in _UNKNOWN_KEY_CODES for e in errors):
        raise UnknownPatient(kind)
    raise HospitalRejected(code, _reason(reply))


def _error_code(err: Segment) -> str:
    # 2.5 puts the CWE in ERR-3; 2.3/2.4 in ERR-1's fourth component (ELD).
    return err.component(3, 1) or err.component(1, 4)


def _reason(reply: Message) -> str:
    msa = reply.first("MSA")
    text = msa.field(3) if msa else ""
    if not text:
        for err in reply.all("ERR"):
            text = err.field(8) or err.component(3, 2) or err.component(1, 4)
            if text:
                break
    return text[:200]
