"""The hospital's MLLP listener: answers QRY^A19 with ADR^A19 and takes ORU^R01 results, one thread
per connection."""

from __future__ import annotations

import logging
import socket
import socketserver
import threading

from careapp.hospital_sim import hl7_messages as msgs
from careapp.hospital_sim.patients import PatientIndex
from careapp.hospital_sim.results_inbox import ResultsInbox

log = logging.getLogger(__name__)
START, END = b"\x0b", b"\x1c"
MAX_FRAME = 1024 * 1024


def answer(index: PatientIndex, payload: bytes, results: ResultsInbox | None = None) -> bytes | None:
    """One request frame → one reply frame payload (None: no answer). Never raises."""
    try:
        # Header bytes are ASCII in every supported charset; decode leniently to find MSH-18.
        text = payload.decode("utf-8", "replace") if b"UTF-8" in payload[:400] else payload.decode("latin-1")
        query = msgs.parse_query(text)
    except ValueError:
        return msgs.reject(None, "Not an HL7 message")
    if query.message_type == "ORU^R01" and results is not None:
        return results.receive(payload, query)
    if query.version not in msgs.VERSIONS:
        return msgs.reject(query, f"Unsupported HL7 version {query.version}")
    if query.message_type != "QRY^A19":
        return msgs.reject(query, f"Unsupported message type {query.message_type}")
    if query.type_code == "VN":
        found = index.by_visit(query.value)
        if found:
            return msgs.adr_a19(query, found[0], found[1])
    else:
        patient = index.by_patient_id(query.value)
        if patient:
            return msgs.adr_a19(query, patient, patient.visit_numbers[-1])
    return msgs.not_found(query)


class _Handler(socketserver.BaseRequestHandler):
    server: MllpServer

    def handle(self) -> None:
        sock: socket.socket = self.request
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        buffer = b""
        while True:
            try:
                chunk = sock.recv(65536)
            except OSError:
                return
            if not chunk:
                return
            buffer += chunk
            while True:
                start = buffer.find(START)
                end = buffer.find(END, start + 1) if start >= 0 else -1
                if start < 0 or end < 0:
                    break
                payload, buffer = buffer[start + 1 : end], buffer[end + 1 :].lstrip(b"\r")
                reply = answer(self.server.index, payload, self.server.results)
                self.server.queries += 1
                if reply is None:
                    continue
                try:
                    sock.sendall(START + reply + b"\x1c\r")
                except OSError:
                    return
            if len(buffer) > MAX_FRAME:
                return


class MllpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self, host: str, port: int, index: PatientIndex, results: ResultsInbox | None = None
    ) -> None:
        self.index = index
        self.results = results
        self.queries = 0
        super().__init__((host, port), _Handler)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, name="mllp", daemon=True)
        thread.start()
        return thread
