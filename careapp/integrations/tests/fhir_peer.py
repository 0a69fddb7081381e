"""A FHIR server on a free loopback port that behaves like other vendors' PDQm endpoints.

Not our simulator: each knob is a behaviour seen in real hospital FHIR servers.

- ``honours_identifier=False``: the identifier search parameter is ignored (as lenient servers
  do with a parameter they do not support), so every patient is a "match";
- ``page_size``: results are paged HAPI-style (``_getpages``/``_getpagesoffset`` next links),
  ``report_total`` says whether ``Bundle.total`` is sent, ``endless`` keeps sending next links,
  ``empty_pages`` first pages come without entries (only a next link), ``link_host`` is the
  host the links name (a server behind a proxy names itself by its internal address);
- ``bom``, ``charset``, ``encoding``: a UTF-8 byte-order mark, the Content-Type charset and the
  bytes' real encoding;
- ``hold``: an event the server waits on before answering (a slow server);
- ``raw``: a fixed body sent for every search (malformed Bundles).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit


def fhir_patient(patient_id: str, family: str, *identifiers: tuple[str, str], **extra: Any) -> dict[str, Any]:
    """A Patient resource with the given (system, value) identifiers."""
    return {
        "resourceType": "Patient",
        "id": patient_id,
        "identifier": [{"system": s, "value": v} for s, v in identifiers],
        "name": [{"family": family, "given": ["An"]}],
        **extra,
    }


@dataclass
class FhirPeer:
    patients: list[dict[str, Any]] = field(default_factory=list)
    honours_identifier: bool = True
    page_size: int = 0  # 0: everything on one page
    report_total: bool = True
    endless: bool = False
    empty_pages: int = 0
    link_host: str | None = None
    bom: bool = False
    charset: str | None = "utf-8"
    encoding: str = "utf-8"
    hold: threading.Event | None = None
    raw: bytes | None = None
    requests: list[str] = field(default_factory=list)  # paths with query strings, in order

    def __enter__(self) -> FhirPeer:
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None: ...

            def do_GET(self) -> None:
                peer.requests.append(self.path)
                if peer.hold is not None:
                    peer.hold.wait(10)
                body = peer.raw if peer.raw is not None else peer._answer(self.path, self.headers["Host"])
                ctype = "application/fhir+json" + (f"; charset={peer.charset}" if peer.charset else "")
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:  # the client gave up waiting
                    pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.hold is not None:
            self.hold.set()
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/fhir"

    def _answer(self, path: str, host: str) -> bytes:
        query = parse_qs(urlsplit(path).query)
        offset = int(query.get("_getpagesoffset", ["0"])[0])
        number = int(query.get("_page", ["0"])[0])
        token = query.get("identifier", [""])[0] if "_getpages" not in query else query["_token"][0]
        matches = [p for p in self.patients if not self.honours_identifier or _carries(p, token)]
        size = self.page_size or max(1, len(matches))
        page = matches[offset : offset + size] if number >= self.empty_pages else []
        step = size if number >= self.empty_pages else 0
        host = self.link_host or host
        bundle: dict[str, Any] = {
            "resourceType": "Bundle",
            "type": "searchset",
            "entry": [{"fullUrl": f"http://{host}/fhir/Patient/{p['id']}", "resource": p,
                       "search": {"mode": "match"}} for p in page],
        }  # fmt: skip
        if self.report_total:
            bundle["total"] = len(matches)
        if self.endless or offset + step < len(matches):
            nxt = urlencode({"_getpages": "page", "_getpagesoffset": offset + step, "_token": token,
                             "_page": number + 1})  # fmt: skip
            bundle["link"] = [{"relation": "next", "url": f"http://{host}/fhir?{nxt}"}]
        text = json.dumps(bundle, ensure_ascii=False)
        return (b"\xef\xbb\xbf" if self.bom else b"") + text.encode(self.encoding)


def _carries(patient: dict[str, Any], token: str) -> bool:
    system, _, value = token.rpartition("|")
    return any(i["system"] == system and i["value"] == value for i in patient["identifier"])
