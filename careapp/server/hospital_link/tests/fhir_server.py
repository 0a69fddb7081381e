"""A lenient FHIR server on loopback that takes transaction Bundles at its base, the way a
hospital's FHIR facade does: it keeps each resource once by identifier (ifNoneExist), answers
201 with a transaction-response, and on demand 503 (down) or 422 with an OperationOutcome."""

from __future__ import annotations

import json
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FhirServer:
    def __init__(self) -> None:
        self.resources: dict[str, dict[str, Any]] = {}  # "system|value" → resource
        self.posts = 0
        self.answers: deque[int] = deque()  # status codes for the next POSTs, then 200
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                server.posts += 1
                status = server.answers.popleft() if server.answers else 200
                if status == 422:
                    issue = {
                        "severity": "error",
                        "code": "invalid",
                        "diagnostics": "subject identifier not known",
                    }
                    outcome = {"resourceType": "OperationOutcome", "issue": [issue]}
                    return self._send(422, outcome)
                if status != 200:
                    return self._send(status, {})
                responses = []
                for entry in body.get("entry", []):
                    key = entry["request"]["ifNoneExist"].removeprefix("identifier=")
                    created = key not in server.resources
                    server.resources.setdefault(key, entry["resource"])
                    responses.append({"response": {"status": "201 Created" if created else "200 OK"}})
                self._send(
                    200, {"resourceType": "Bundle", "type": "transaction-response", "entry": responses}
                )

            def _send(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/fhir+json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._http.server_address[1]}/fhir"

    def __enter__(self) -> FhirServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._http.shutdown()
        self._http.server_close()
