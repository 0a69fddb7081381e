"""QRY^A19 (patient query) over MLLP → ADR^A19 → Patient."""

from __future__ import annotations

import itertools
import logging
import os
import time
from datetime import datetime

from careapp.integrations.config import HospitalConfig
from careapp.integrations.errors import HospitalError, HospitalTimeout, MalformedReply, UnknownPatient
from careapp.integrations.hl7.ack import check_ack
from careapp.integrations.hl7.codec import codec_for, escape
from careapp.integrations.hl7.message import Message, ParseError, parse_bytes
from careapp.integrations.hl7.mllp import MllpConnection
from careapp.integrations.mapping import HospitalRecord, patient_from_pid, physician_from_xcn

log = logging.getLogger(__name__)
_counter = itertools.count(1)
_PREFIX = f"CA{os.getpid() % 100000:05d}{int(time.time()) % 100000:05d}"


MAX_STALE_FRAMES = 16  # answers to earlier queries skipped before one exchange gives up


def new_control_id() -> str:
    """Unique per process run and ≤ 20 characters (HL7's ST length for MSH-10)."""
    return f"{_PREFIX}{next(_counter):08d}"[:20]


class _StaleReply(Exception):
    """A reply to an earlier query of ours (a hospital that answers twice, a late answer)."""


def build_query(config: HospitalConfig, value: str, *, visit: bool, control_id: str) -> bytes:
    now = datetime.now().strftime("%Y%m%d%H%M%S")
    version = config.hl7_version
    msg_type = "QRY^A19" if version == "2.3" else "QRY^A19^QRY_A19"
    type_code = "VN" if visit else "PI"
    # QRD-8 (who subject filter, XCN): id in XCN-1, authority in XCN-9, type code in XCN-13.
    who = f"{escape(value)}^^^^^^^^{escape(config.query_authority)}^^^^{type_code}"
    segments = [
        f"MSH|^~\\&|{config.sending_application}|{config.sending_facility}|"
        f"{config.receiving_application}|{config.receiving_facility}|{now}||{msg_type}|"
        f"{control_id}|P|{version}||||||{config.hl7_encoding}",
        f"QRD|{now}|R|I|{control_id}|||1^RD|{who}|DEM",
    ]
    return ("\r".join(segments) + "\r").encode(codec_for(config.hl7_encoding))


def read_reply(
    data: bytes, config: HospitalConfig, control_id: str, *, visit: bool, value: str
) -> HospitalRecord:
    """Check the ADR^A19 against the query and map its PID (and PV1) to a Patient."""
    kind = "visit number" if visit else "patient id"
    try:
        reply = parse_bytes(data, config.hl7_fallback_charset)
    except ParseError as exc:
        raise MalformedReply(str(exc)) from None
    msa = reply.first("MSA")
    answered = msa.field(2) if msa is not None else ""
    if answered != control_id and answered.startswith(_PREFIX):
        raise _StaleReply()
    check_ack(reply, control_id, kind)
    return record_from_reply(reply, config, visit=visit, value=value)


def record_from_reply(reply: Message, config: HospitalConfig, *, visit: bool, value: str) -> HospitalRecord:
    pid = reply.first("PID")
    if pid is None:
        raise UnknownPatient("visit number" if visit else "patient id")
    pids = reply.all("PID")
    if len(pids) > 1:
        raise MalformedReply(f"{len(pids)} patients in a reply to a single-patient query")
    pv1 = reply.first("PV1")
    patient = patient_from_pid(pid, config, pv1)
    wanted = config.visit_number_system if visit else config.patient_id_system
    if patient.identifier(wanted) != value:
        # Guard against a hospital answering about someone else (a wrong-patient import).
        where = "PV1-19" if visit else "PID-3"
        raise MalformedReply(f"{where} does not carry the requested id")
    attending = physician_from_xcn(pv1.repetitions(7)[0]) if pv1 and pv1.repetitions(7) else None
    return HospitalRecord(patient, attending)


def query_patient(
    config: HospitalConfig, value: str, *, visit: bool = False, connection: MllpConnection | None = None
) -> HospitalRecord:
    """Look one patient up by hospital patient id or visit number. Raises HospitalError.

    ``connection`` lets a batch (the SIU pull) reuse one TCP connection. A timeout or dropped
    connection is retried on a fresh connection (A19 is a read-only query); a NAK never is.
    """
    value = value.strip()
    if not value:
        raise UnknownPatient("visit number" if visit else "patient id")
    own = connection is None
    conn = connection or MllpConnection(config.hl7_host, config.hl7_port, config.timeout_seconds)
    timeouts = 0
    try:
        for attempt in range(1, max(1, config.attempts) + 1):
            control_id = new_control_id()
            payload = build_query(config, value, visit=visit, control_id=control_id)
            try:
                data = conn.exchange(payload)
                for _ in range(MAX_STALE_FRAMES):
                    try:
                        record = read_reply(data, config, control_id, visit=visit, value=value)
                    except _StaleReply:  # not fatal: the answer to this query follows it
                        log.info("A19 %s: skipped a stale reply frame", control_id)
                        data = conn.read_next()
                        continue
                    log.debug("A19 %s answered", control_id)
                    return record
                raise MalformedReply(f"more than {MAX_STALE_FRAMES} replies to earlier queries")
            except MalformedReply:
                conn.close()  # the stream may be out of step with our queries
                raise
            except HospitalError as exc:
                conn.close()  # never reuse a connection that may still deliver a late reply
                timeouts += isinstance(exc, HospitalTimeout)
                if not exc.transient or attempt >= config.attempts:
                    if isinstance(exc, HospitalTimeout) and timeouts > 1:
                        raise HospitalTimeout("query", exc.seconds, timeouts) from None
                    raise
                log.info("A19 %s failed (%s); retrying", control_id, type(exc).__name__)
        raise AssertionError("unreachable")
    finally:
        if own:
            conn.close()
