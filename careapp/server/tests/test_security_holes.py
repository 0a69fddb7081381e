"""What a security reviewer tried against a real careapp-server on loopback, and must not work.

Concealed values stay sealed when a constant is un-concealed; bodies are counted as they stream
(chunked ones too) and headers are capped; hosted pages tokens decode only in their canonical
form; ``--public-url`` reaches every worker; the SQLite database syncs fully on commit."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID
from careapp.server.db import Database
from careapp.server.tests.harness import ServerProcess, cli, make_api_key

SECRET = "pacs-secret-0123456789"
B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    workdir = tmp_path_factory.mktemp("security")
    db_url = f"sqlite:///{workdir / 'server.sqlite3'}"
    cli("seed-demo", "--db", db_url)
    server = ServerProcess(db_url, workdir)
    with server.running(timeout=120):  # generous: the machine may be busy
        yield server
    assert "Traceback" not in server.log()


@pytest.fixture(scope="module")
def admin(live: ServerProcess) -> Iterator[httpx.Client]:
    key = make_api_key(live.db_url)
    with httpx.Client(base_url=live.url, headers={"Authorization": f"Bearer {key}"}, timeout=30) as c:
        yield c


def _started_flow(admin: httpx.Client) -> dict:
    patient = admin.post(
        "/v1/patients",
        json={
            "family_name": "Peeters",
            "given_name": "Lotte",
            "identifiers": [{"system": DEMO_HOSPITAL_PATIENT_ID, "value": uuid.uuid4().hex[:12]}],
        },
    ).json()
    flow = admin.post(
        "/v1/care-flows",
        json={
            "patient_id": patient["id"],
            "definition_id": "chronic-care-check-in",
            "baseline": {"dry_weight_kg": 70},
        },
    )
    assert flow.status_code == 201, flow.text
    return flow.json()


# ----------------------------------------------------------------------------- item 1


def test_un_concealing_a_constant_drops_its_value_instead_of_revealing_it(admin: httpx.Client) -> None:
    doc = {
        "id": "pacs-lookup",
        "title": "PACS lookup",
        "constants": [{"key": "pacs_token", "concealed": True, "value": SECRET}],
        "steps": [
            {
                "id": "s1",
                "activities": [
                    {"id": "a1", "type": "message", "stakeholder": "clinician", "title": "T", "body": "B"}
                ],
            }
        ],
    }
    created = admin.post("/v1/care-flow-definitions", json=doc)
    assert created.status_code == 201, created.text
    doc["constants"] = [{"key": "pacs_token", "concealed": False}]
    changed = admin.put(
        "/v1/care-flow-definitions/pacs-lookup/working-version",
        json=doc,
        headers={"If-Match": f'"{created.json()["revision"]}"'},
    )
    assert changed.status_code == 200, changed.text
    constants = admin.get("/v1/care-flow-definitions/pacs-lookup/constants")
    assert constants.json()["items"] == [
        {"key": "pacs_token", "concealed": False, "value": None, **_extra(constants.json()["items"][0])}
    ]
    exported = admin.get("/v1/care-flow-definitions/pacs-lookup/export")
    assert SECRET not in constants.text and SECRET not in exported.text and SECRET not in changed.text
    # The admin sets a new, plain value; concealing it again seals that one.
    assert admin.put(
        "/v1/care-flow-definitions/pacs-lookup/constants/pacs_token", json={"value": "plain"}
    ).is_success


def _extra(item: dict) -> dict:
    """Members besides key, concealed and value (e.g. updated_at), whatever they hold."""
    return {k: v for k, v in item.items() if k not in ("key", "concealed", "value")}


# ----------------------------------------------------------------------------- item 3


def _chunks(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        yield b"x" * min(size, total - sent)
        sent += size


def test_a_chunked_body_past_the_limit_is_refused_without_a_credential(live: ServerProcess) -> None:
    # No Content-Length: the old guard let any size through to be buffered whole.
    response = httpx.post(
        live.url + "/v1/workstations/pair",
        content=_chunks(20 * 1024 * 1024),
        headers={"Content-Type": "application/json"},
        timeout=60,
    )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"].endswith("body-too-large")
    # A small chunked body still gets its ordinary answer.
    small = httpx.post(
        live.url + "/v1/workstations/pair",
        content=iter([b'{"pairing_code": ', b'"NOPE-NOPE"}']),
        headers={"Content-Type": "application/json"},
    )
    assert small.status_code == 401


def test_header_size_and_count_are_capped(live: ServerProcess) -> None:
    huge = httpx.get(live.url + "/v1/health", headers={"X-Padding": "a" * (64 * 1024)})
    assert huge.status_code == 431
    many = httpx.get(live.url + "/v1/health", headers=[(f"X-H{i}", "1") for i in range(500)])
    assert many.status_code == 431
    assert many.json()["type"].endswith("headers-too-large")
    assert httpx.get(live.url + "/v1/health", headers={"X-Fine": "a" * 1000}).status_code == 200


def test_a_huge_header_line_is_refused_while_it_arrives(live: ServerProcess) -> None:
    # 16 MiB of one header line: refused after the first 64 KiB, not buffered whole and then refused.
    host, port = live.url.removeprefix("http://").split(":")
    sent = 0
    with socket.create_connection((host, int(port)), timeout=30) as conn:
        conn.sendall(b"GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Padding: ")
        try:
            while sent < 16 * 1024 * 1024:
                conn.sendall(b"a" * 65536)
                sent += 65536
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server closed the connection: what we want
        answer = b""
        try:
            while chunk := conn.recv(65536):
                answer += chunk
        except ConnectionResetError:
            pass
    assert answer.startswith(b"HTTP/1.1 431"), answer[:100]
    assert b"headers-too-large" in answer
    assert sent < 4 * 1024 * 1024, "the server read megabytes of one header before refusing"
    assert httpx.get(live.url + "/v1/health").status_code == 200  # and it still serves


# ----------------------------------------------------------------------------- item 7


def _altered(token: str) -> list[str]:
    """Tokens a lenient base64 decoder reads as TOKEN: padding, stray characters, and a last
    character differing only in its unused low bits."""
    last = B64URL.index(token[-1])
    unused = len(token) * 6 % 8  # low bits of the last character that carry no data
    siblings = [B64URL[last ^ n] for n in range(1, 2**unused)]
    return [token + "=", token + "%3D", token + "~", token + ".", *(token[:-1] + c for c in siblings)]


def test_altered_link_tokens_do_not_open_the_page(live: ServerProcess, admin: httpx.Client) -> None:
    link = _started_flow(admin)["hosted_pages_link"]
    token = link.rsplit("/l/", 1)[1]
    assert httpx.get(live.url + "/l/" + token).status_code in (200, 303)
    altered = _altered(token)
    assert len(altered) == 4 + 15  # 46 characters: the last one has 4 unused bits
    for variant in altered:
        response = httpx.get(live.url + "/l/" + variant)
        assert response.status_code == 404, variant


# ----------------------------------------------------------------------------- item 5


def test_public_url_reaches_every_worker(sqlite_url: str, tmp_path: Path) -> None:
    cli("seed-demo", "--db", sqlite_url)
    public = "https://care.example.org"
    server = ServerProcess(sqlite_url, tmp_path, extra=("--workers", "2", "--public-url", public))
    with server.running(timeout=120):  # two fresh worker processes: slow on a busy machine
        key = make_api_key(sqlite_url)
        links = []
        for _ in range(8):  # a fresh connection each: the workers share them out
            with httpx.Client(
                base_url=server.url, headers={"Authorization": f"Bearer {key}"}, timeout=30
            ) as c:
                links.append(_started_flow(c)["hosted_pages_link"])
    assert all(link.startswith(public + "/l/") for link in links), links


# ----------------------------------------------------------------------------- item 9


def test_the_server_database_syncs_fully_on_commit(live: ServerProcess) -> None:
    db = Database(live.db_url)
    try:
        with db.transaction(read_only=True) as session:
            assert session.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
    finally:
        db.dispose()


# ----------------------------------------------------------------------------- item 8


def test_method_not_allowed_names_every_method_of_the_path(live: ServerProcess) -> None:
    response = httpx.delete(live.url + "/v1/users")
    assert response.status_code == 405
    assert {m.strip() for m in response.headers["allow"].split(",")} >= {"GET", "POST"}


def test_a_name_search_treats_underscore_and_percent_as_letters(admin: httpx.Client) -> None:
    family = "Zqxw" + uuid.uuid4().hex[:6]
    body = {
        "family_name": family,
        "given_name": "Lotte",
        "identifiers": [{"system": DEMO_HOSPITAL_PATIENT_ID, "value": uuid.uuid4().hex[:12]}],
    }
    assert admin.post("/v1/patients", json=body).status_code == 201
    assert admin.get("/v1/patients", params={"name": family[:4]}).json()["total"] == 1
    for pattern in (family[:3] + "_", family[:2] + "%w", "_" + family[1:4]):
        assert admin.get("/v1/patients", params={"name": pattern}).json()["total"] == 0, pattern


def test_a_reused_idempotency_key_on_another_path_says_so(admin: httpx.Client) -> None:
    key = {"Idempotency-Key": uuid.uuid4().hex}
    first = admin.post(
        "/v1/physicians", json={"code": "DR-" + uuid.uuid4().hex[:6], "name": "Dr A"}, headers=key
    )
    assert first.status_code == 201, first.text
    other = admin.post(
        "/v1/identifier-systems", json={"name": "X", "uri": "urn:x:" + uuid.uuid4().hex}, headers=key
    )
    assert other.status_code == 422
    assert "path" in other.json()["detail"]


def test_conflicts_are_documented_where_they_happen(live: ServerProcess) -> None:
    paths = httpx.get(live.url + "/openapi.json").json()["paths"]
    for path in (
        "/v1/hosted-pages-sessions",
        "/v1/care-flows/{care_flow_id}/hosted-pages-link/revoke",
        "/v1/enrollment-links/{link_id}/revoke",
    ):
        assert "409" in paths[path]["post"]["responses"], path
