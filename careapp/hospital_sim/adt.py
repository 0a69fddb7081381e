"""ADT events the stand-in hospital sends: admit, register, discharge, update, cancel admit, merge.

``careapp-hospital-sim adt discharge --id 100001 --ward CARDIO --to 127.0.0.1:2576`` builds the
A03 for one of the synthetic patients (same --patients/--seed as the running simulator), sends it
over MLLP and prints the acknowledgement as JSON (MSA-1, MSA-3).
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
from collections.abc import Sequence
from datetime import datetime

from careapp.hospital_sim import hl7_messages as msgs
from careapp.hospital_sim.patients import AUTHORITY, SimPatient, generate

EVENTS = {"admit": "A01", "register": "A04", "discharge": "A03", "update": "A08", "cancel-admit": "A11",
          "merge": "A40"}  # fmt: skip


def adt_message(
    event: str,
    patient: SimPatient,
    *,
    ward: str = "CARDIO",
    at: datetime,
    ctrl: str,
    merged_id: str | None = None,
    charset: str = msgs.UTF8,
) -> str:
    """One ADT message as text (CR-separated); EVENT is the trigger code, e.g. A03."""
    structure = {"A04": "ADT_A01", "A08": "ADT_A01", "A11": "ADT_A09", "A03": "ADT_A03", "A40": "ADT_A39"}
    msh = (
        f"MSH|^~\\&|HIS|{AUTHORITY}|CAREAPP|CAREAPP|{at:%Y%m%d%H%M%S}||"
        f"ADT^{event}^{structure.get(event, 'ADT_A01')}|{ctrl}|P|2.5.1||||||{charset}"
    )
    visit = patient.visit_numbers[-1]
    pv1 = ["PV1", "1", "I", f"{msgs.esc(ward)}^101^A", "", "", "", msgs.doctor_xcn(patient.doctor)]
    pv1 += [""] * 11 + [f"{visit}^^^{AUTHORITY}^VN"]  # PV1-19
    pv1 += [""] * 26  # … PV1-44 admit date/time, PV1-45 discharge date/time
    pv1[44] = f"{at:%Y%m%d%H%M%S}" if event in ("A01", "A04") else ""
    pv1[45] = f"{at:%Y%m%d%H%M%S}" if event == "A03" else ""
    segments = [msh, f"EVN|{event}|{at:%Y%m%d%H%M%S}", msgs.pid_segment(patient), "|".join(pv1)]
    if event == "A40":
        if not merged_id:
            raise ValueError("a merge names the patient id that is merged away (--merged-id)")
        segments.append(f"MRG|{msgs.esc(merged_id)}^^^{AUTHORITY}^PI")
    return "\r".join(segments) + "\r"


def send(host: str, port: int, payload: bytes, timeout: float = 10.0) -> bytes:
    """One MLLP exchange; the acknowledgement's payload."""
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(b"\x0b" + payload + b"\x1c\r")
        reply = b""
        while b"\x1c" not in reply:
            chunk = sock.recv(65536)
            if not chunk:
                raise ConnectionError("the connection closed before the acknowledgement")
            reply += chunk
    return reply[reply.find(b"\x0b") + 1 : reply.find(b"\x1c")]


def _when(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError("expected YYYY-MM-DDTHH:MM") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="careapp-hospital-sim adt", description="Send one ADT event for a synthetic patient over MLLP."
    )
    parser.add_argument("event", choices=sorted(EVENTS), help="what happened to the patient")
    parser.add_argument("--id", required=True, help="the hospital patient id, e.g. 100001")
    parser.add_argument("--ward", default="CARDIO", help="PV1-3 point of care (default CARDIO)")
    parser.add_argument("--merged-id", help="merge: the patient id merged into --id (MRG-1)")
    parser.add_argument("--to", default="127.0.0.1:2576", help="HOST:PORT of careapp-server's ADT listener")
    parser.add_argument("--at", type=_when, help="when it happened, YYYY-MM-DDTHH:MM (default: now)")
    parser.add_argument("--control-id", help="MSH-10 (default: a new one); resend one to test idempotency")
    parser.add_argument("--patients", type=int, default=50, help="as the running simulator was started")
    parser.add_argument("--seed", type=int, default=1, help="as the running simulator was started")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    patient = next((p for p in generate(max(args.patients, 1), args.seed) if p.patient_id == args.id), None)
    if patient is None:
        print(
            f"careapp-hospital-sim adt: no synthetic patient {args.id!r} (see --patients/--seed)",
            file=sys.stderr,
        )
        return 2
    host, sep, port = args.to.rpartition(":")
    if not sep or not port.isdigit():
        print(f"careapp-hospital-sim adt: --to expects HOST:PORT, got {args.to!r}", file=sys.stderr)
        return 2
    event = EVENTS[args.event]
    ctrl = args.control_id or msgs.control_id("ADT")
    try:
        text = adt_message(
            event, patient, ward=args.ward, at=args.at or datetime.now(), ctrl=ctrl, merged_id=args.merged_id
        )
        reply = send(host, int(port), text.encode("utf-8"))
    except ValueError as exc:
        print(f"careapp-hospital-sim adt: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"careapp-hospital-sim adt: cannot reach {args.to}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    msa = next(
        (s.split("|") for s in reply.decode("utf-8", "replace").split("\r") if s.startswith("MSA")), []
    )
    code = msa[1] if len(msa) > 1 else ""
    print(
        json.dumps({"event": event, "control_id": ctrl, "ack": code, "text": msa[3] if len(msa) > 3 else ""})
    )
    return 0 if code == "AA" else 1
