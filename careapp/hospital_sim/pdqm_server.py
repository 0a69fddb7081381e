"""IHE PDQm endpoint on the standard library's HTTP server (it starts in milliseconds, which
matters because the desktop demo launches the simulator as a subprocess).

``GET {base}/Patient?identifier=system|value`` → searchset Bundle; ``GET {base}/Patient/{id}``;
``GET {base}/metadata``.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from careapp.hospital_sim import fhir
from careapp.hospital_sim.patients import PatientIndex

BASE_PATH = "/fhir"
FHIR_JSON = "application/fhir+json; charset=utf-8"


class _Handler(BaseHTTPRequestHandler):
    server: PdqmServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: request lines carry identifiers (PHI) in the query string."""

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        path = url.path.rstrip("/")
        base = f"http://{self.headers.get('Host') or 'localhost'}{BASE_PATH}"
        if path == f"{BASE_PATH}/metadata":
            self._send(200, {"resourceType": "CapabilityStatement", "status": "active",
                             "kind": "instance", "fhirVersion": "4.0.1", "format": ["json"]})  # fmt: skip
            return
        if path == f"{BASE_PATH}/Patient":
            tokens = parse_qs(url.query).get("identifier", [])
            if not tokens:
                self._send(400, fhir.operation_outcome("required", "identifier is required"))
                return
            hits = None
            for token in tokens:  # repeated parameters are ANDed
                ids = {p.patient_id for p in fhir.search(self.server.index, token)}
                hits = ids if hits is None else hits & ids
            patients = [p for p in self.server.index.patients if p.patient_id in (hits or set())]
            self.server.searches += 1
            self._send(200, fhir.bundle(base, patients))
            return
        if path.startswith(f"{BASE_PATH}/Patient/"):
            patient = self.server.index.by_patient_id(path.rsplit("/", 1)[1])
            if patient:
                self._send(200, fhir.patient_resource(patient))
            else:
                self._send(404, fhir.operation_outcome("not-found", "Unknown patient"))
            return
        self._send(404, fhir.operation_outcome("not-found", "Unknown resource"))

    def _send(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", FHIR_JSON)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class PdqmServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, host: str, port: int, index: PatientIndex) -> None:
        self.index = index
        self.searches = 0
        super().__init__((host, port), _Handler)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, name="pdqm", daemon=True)
        thread.start()
        return thread
