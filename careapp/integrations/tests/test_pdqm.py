"""PDQm client against the real simulator over HTTP, plus faulty HTTP peers."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from careapp.domain.identifiers import (
    DEMO_HOSPITAL_PATIENT_ID,
    DEMO_HOSPITAL_VISIT_NUMBER,
    DEMO_NATIONAL_NUMBER,
    Identifier,
)
from careapp.hospital_sim.server import HospitalSimulator
from careapp.integrations.config import HospitalConfig
from careapp.integrations.errors import (
    HospitalRejected,
    HospitalTimeout,
    HospitalUnreachable,
    MalformedReply,
    UnknownPatient,
)
from careapp.integrations.lookup import IdKind, look_up
from careapp.integrations.pdqm import search_patients


def test_one_match(simulator: HospitalSimulator, sim_config: HospitalConfig) -> None:
    [patient] = search_patients(sim_config, Identifier(DEMO_HOSPITAL_PATIENT_ID, "100004"))
    assert (patient.family_name, patient.given_name) == ("山田", "太郎")
    systems = {i.system for i in patient.identifiers}
    # The account number is not a configured system: not kept.
    assert systems == {DEMO_HOSPITAL_PATIENT_ID, DEMO_NATIONAL_NUMBER, DEMO_HOSPITAL_VISIT_NUMBER}


def test_zero_matches(sim_config: HospitalConfig) -> None:
    assert search_patients(sim_config, Identifier(DEMO_HOSPITAL_PATIENT_ID, "nobody")) == []
    with pytest.raises(UnknownPatient):
        look_up(sim_config, "nobody", source="pdqm")


def test_many_matches_let_the_clinician_choose(
    simulator: HospitalSimulator, sim_config: HospitalConfig
) -> None:
    national = simulator.patients[7].national_number
    assert national == simulator.patients[6].national_number  # the simulator's duplicate record
    records = look_up(sim_config, national or "", kind=IdKind.NATIONAL_NUMBER, source="pdqm")
    assert len(records) == 2
    assert {r.patient.identifier(DEMO_HOSPITAL_PATIENT_ID) for r in records} == {"100007", "100008"}


def test_visit_number_match_carries_the_visit_number(sim_config: HospitalConfig) -> None:
    [record] = look_up(sim_config, "V02000021", kind=IdKind.VISIT_NUMBER, source="pdqm")
    assert record.patient.identifier(DEMO_HOSPITAL_VISIT_NUMBER) == "V02000021"
    assert record.patient.identifier(DEMO_HOSPITAL_PATIENT_ID) == "100002"


@contextmanager
def http_peer(handler: Callable[[BaseHTTPRequestHandler, int], None]) -> Iterator[tuple[str, list[int]]]:
    calls: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None: ...

        def do_GET(self) -> None:
            calls.append(1)
            handler(self, len(calls))

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/fhir", calls
    finally:
        server.shutdown()
        server.server_close()


def send(h: BaseHTTPRequestHandler, status: int, body: bytes, ctype: str = "application/fhir+json") -> None:
    h.send_response(status)
    h.send_header("Content-Type", ctype)
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    h.wfile.write(body)


BUNDLE = json.dumps({"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": {
    "resourceType": "Patient", "identifier": [{"system": DEMO_HOSPITAL_PATIENT_ID, "value": "1"}],
    "name": [{"family": "Peeters", "given": ["An"]}]}, "search": {"mode": "match"}}]}).encode()  # fmt: skip


def test_retries_the_idempotent_get_after_a_503() -> None:
    def handler(h: BaseHTTPRequestHandler, n: int) -> None:
        send(h, 503, b"{}") if n == 1 else send(h, 200, BUNDLE)

    with http_peer(handler) as (url, calls):
        cfg = HospitalConfig(pdqm_url=url, timeout_seconds=1.0, attempts=2)
        [patient] = search_patients(cfg, Identifier(DEMO_HOSPITAL_PATIENT_ID, "1"))
    assert patient.family_name == "Peeters" and len(calls) == 2


def test_timeout() -> None:
    stop = threading.Event()

    def handler(h: BaseHTTPRequestHandler, n: int) -> None:
        stop.wait(2)  # silent past the client's 0.2 s read timeout

    with http_peer(handler) as (url, calls):
        cfg = HospitalConfig(pdqm_url=url, timeout_seconds=0.2, attempts=2)
        with pytest.raises(HospitalTimeout, match=r"0\.2 s"):
            search_patients(cfg, Identifier(DEMO_HOSPITAL_PATIENT_ID, "1"))
        stop.set()
    assert len(calls) == 2  # retried once


@pytest.mark.parametrize(
    ("status", "body", "ctype", "error", "text"),
    [
        (200, b"<html>proxy login</html>", "text/html", MalformedReply, "not JSON"),
        (200, b'{"resourceType": "Patient"}', "application/fhir+json", MalformedReply, "not a FHIR Bundle"),
        (404, b"not here", "text/plain", MalformedReply, "no PDQm endpoint"),
        (400, b'{"resourceType":"OperationOutcome","issue":[{"code":"invalid","diagnostics":"bad token"}]}',
         "application/fhir+json", HospitalRejected, "bad token"),
    ],
)  # fmt: skip
def test_bad_answers(status: int, body: bytes, ctype: str, error: type, text: str) -> None:
    with http_peer(lambda h, n: send(h, status, body, ctype)) as (url, _):
        cfg = HospitalConfig(pdqm_url=url, timeout_seconds=1.0, attempts=1)
        with pytest.raises(error, match=text) as err:
            search_patients(cfg, Identifier(DEMO_HOSPITAL_PATIENT_ID, "1"))
    assert "\n" not in str(err.value)


def test_connection_refused() -> None:
    cfg = HospitalConfig(pdqm_url="http://127.0.0.1:9/fhir", timeout_seconds=0.5, attempts=1)
    with pytest.raises(HospitalUnreachable, match="refused"):
        search_patients(cfg, Identifier(DEMO_HOSPITAL_PATIENT_ID, "1"))
