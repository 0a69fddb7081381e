"""POST /v1/batch: in one go when every change goes through, change by change when one is refused.

Both ways must give the same answers and leave the same rows, so most tests send one batch that
goes through and the same changes again with a refused one in the middle.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select

from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID, DEMO_NATIONAL_NUMBER
from careapp.server.context import Services
from careapp.server.models import ActivityRow, AuditEvent, CareFlowRow, IdempotencyKeyRow, PatientRow

DEFINITION = "chronic-care-check-in"


def _ident(value: str, system: str = DEMO_HOSPITAL_PATIENT_ID) -> dict[str, str]:
    return {"system": system, "value": value}


def _patient(value: str, family: str = "Peeters", **patient: Any) -> dict[str, Any]:
    idents = [_ident(value), *patient.pop("extra", [])]
    body = {"identifier": idents[0], "patient": {"family_name": family, "identifiers": idents, **patient}}
    return {"idempotency_key": uuid.uuid4().hex, "kind": "patient.upsert", "body": body}


def _start(value: str, **body: Any) -> dict[str, Any]:
    wanted = {"patient_identifier": _ident(value), "definition_id": DEFINITION, **body}
    wanted.setdefault("baseline", {"dry_weight_kg": 72})
    return {"idempotency_key": uuid.uuid4().hex, "kind": "care_flow.start", "body": wanted}


def _push(client: TestClient, operations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    response = client.post("/v1/batch", json={"operations": operations})
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["idempotency_key"] for r in results] == [op["idempotency_key"] for op in operations]
    return results


@pytest.fixture
def statements(seeded: Services) -> Iterator[list[str]]:
    """Every SQL statement the server sends from here on: its verb, and its table for an INSERT."""
    sent: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        words = statement.split(None, 3)
        sent.append(" ".join(words[:3]) if words[0].upper() == "INSERT" else words[0].upper())

    event.listen(seeded.db.engine, "before_cursor_execute", record)
    yield sent
    event.remove(seeded.db.engine, "before_cursor_execute", record)


def _count(services: Services, model: type, *where: Any) -> int:
    with services.db.transaction(read_only=True) as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def test_a_batch_that_goes_through_starts_care_flows_for_patients_it_creates(
    client: TestClient, seeded: Services, statements: list[str]
) -> None:
    operations = [op for i in range(20) for op in (_patient(f"G-{i}"), _start(f"G-{i}"))]
    results = _push(client, operations)
    # In one go: no savepoint, and each table's rows of all 40 changes in at most two INSERTs
    # (the batch's first definition and webhook lookups flush what is pending once). SQLite
    # cannot group rows whose id it makes and the ORM must read back (identifiers, values).
    assert "SAVEPOINT" not in statements
    grouped = ("patients", "care_flows", "activities", "hosted_pages_links", "audit_events", "changes")
    assert max(statements.count(f"INSERT INTO {table}") for table in grouped) <= 2
    assert statements.count("INSERT INTO idempotency_keys") == 1
    assert [r["status"] for r in results] == [201, 201] * 20
    patients = [r["body"]["patient"] for r in results[::2]]
    flows = [r["body"] for r in results[1::2]]
    assert [f["patient_id"] for f in flows] == [p["id"] for p in patients]
    # The heart failure check-in counts its first week as it starts.
    wanted = {"dry_weight_kg": 72, "weeks_done": 1}
    assert all(f["status"] == "active" and f["data_points"] == wanted for f in flows)
    assert all(p["version"] == 1 and p["identifiers"] == [_ident(f"G-{i}")] for i, p in enumerate(patients))
    assert _count(seeded, PatientRow) == _count(seeded, CareFlowRow) == 20
    for flow in flows:  # the activities of the first step were opened with each care flow
        assert _count(seeded, ActivityRow, ActivityRow.care_flow_id == flow["id"]) >= 1
    # Read back through the API: what was answered is what was stored.
    for flow in flows:
        stored = client.get(f"/v1/care-flows/{flow['id']}").json()
        assert {k: stored[k] for k in ("status", "data_points", "current_step")} == {
            k: flow[k] for k in ("status", "data_points", "current_step")
        }
    again = _push(client, operations)
    assert all(r["replayed"] for r in again)
    assert [r["body"] for r in again] == [r["body"] for r in results]
    assert _count(seeded, PatientRow) == 20


def test_a_refused_change_is_rolled_back_alone_and_the_rest_goes_through(
    client: TestClient, seeded: Services, statements: list[str]
) -> None:
    operations = [
        _patient("R-1"),
        _start("R-1"),
        _start("R-1", definition_id="no-such-definition"),
        _patient("R-2"),
        _start("nobody"),
        _start("R-2"),
    ]
    results = _push(client, operations)
    assert [r["status"] for r in results] == [201, 201, 422, 201, 422, 201]
    assert "SAVEPOINT" in statements  # the careful way, after the attempt in one go
    assert results[2]["body"]["type"].endswith("unknown-definition")
    assert results[4]["body"]["type"].endswith("unknown-patient")
    assert _count(seeded, PatientRow) == 2 and _count(seeded, CareFlowRow) == 2
    # Refused changes keep no key: the same change, corrected on the ward, may be sent again.
    refused = {operations[2]["idempotency_key"], operations[4]["idempotency_key"]}
    assert _count(seeded, IdempotencyKeyRow, IdempotencyKeyRow.key.in_(refused)) == 0
    assert _count(seeded, AuditEvent, AuditEvent.action == "patient.imported") == 2


def test_the_same_patient_twice_in_one_batch_is_one_patient_with_the_last_details(
    client: TestClient, seeded: Services
) -> None:
    national = _ident("80022912345", DEMO_NATIONAL_NUMBER)
    operations = [
        _patient("T-1", given_name="Lotte"),
        _patient("T-1", given_name="Lotte Marie", extra=[national]),
        {**_start("T-1"), "body": {**_start("T-1")["body"], "patient_identifier": national}},
    ]
    results = _push(client, operations)
    assert [r["status"] for r in results] == [201, 200, 201]
    first, second = results[0]["body"]["patient"], results[1]["body"]["patient"]
    assert first["id"] == second["id"] == results[2]["body"]["patient_id"]
    assert second["given_name"] == "Lotte Marie" and national in second["identifiers"]
    assert _count(seeded, PatientRow) == 1


def test_an_existing_patient_is_updated_and_answers_with_its_new_version(
    client: TestClient, seeded: Services
) -> None:
    created = _push(client, [_patient("U-1", given_name="Noor")])[0]["body"]["patient"]
    results = _push(client, [_patient("U-1", given_name="Noor Anna"), _start("U-1")])
    updated = results[0]["body"]["patient"]
    assert results[0]["status"] == 200 and updated["id"] == created["id"]
    assert updated["version"] == 2 and updated["given_name"] == "Noor Anna"
    stored = client.get(f"/v1/patients/{created['id']}").json()
    assert stored["version"] == 2 and stored["given_name"] == "Noor Anna"


def test_an_identifier_of_another_patient_refuses_that_change_only(
    client: TestClient, seeded: Services
) -> None:
    national = _ident("80022912345", DEMO_NATIONAL_NUMBER)
    _push(client, [_patient("C-1", extra=[national])])
    results = _push(client, [_patient("C-2"), _patient("C-3", extra=[national]), _start("C-2")])
    assert [r["status"] for r in results] == [201, 409, 201]
    # A national number under another hospital id: refused by the identifier kinds, in one sentence.
    assert results[1]["body"]["type"].endswith("identifier-conflict")
    assert _count(seeded, PatientRow) == 2


def test_a_key_twice_in_one_batch_is_done_once_and_replayed(client: TestClient, seeded: Services) -> None:
    patient = _patient("K-1")
    results = _push(client, [patient, _start("K-1"), patient])
    assert [r["status"] for r in results] == [201, 201, 201]
    assert results[2]["replayed"] and results[2]["body"] == results[0]["body"]
    assert _count(seeded, PatientRow) == 1
    reused = {
        **patient,
        "body": {**patient["body"], "patient": {**patient["body"]["patient"], "sex": "female"}},
    }
    answer = _push(client, [reused])[0]
    assert answer["status"] == 422 and answer["body"]["type"].endswith("idempotency-key-reused")


def test_a_client_id_twice_in_one_batch_is_one_care_flow(
    client: TestClient, seeded: Services, statements: list[str]
) -> None:
    """A start found by its client's id within the batch that started it (not flushed yet), and
    a client id of another patient's care flow refused for that change alone."""
    operations = [_patient("C-1"), _patient("C-2"), _start("C-1", client_id="uid-c1")]
    operations += [_start("C-1", client_id="uid-c1"), _start("C-2", client_id="uid-c1")]
    operations += [_start("C-2", client_id="uid-c2")]
    results = _push(client, operations)
    assert [r["status"] for r in results] == [201, 201, 201, 200, 409, 201]
    assert results[3]["body"]["id"] == results[2]["body"]["id"]
    assert results[4]["body"]["type"].endswith("client-id-reused")
    assert _count(seeded, CareFlowRow) == 2
    # All going through: run in one go, the second start finds the first before any flush.
    statements.clear()
    one_go = _push(
        client, [_patient("C-3"), _start("C-3", client_id="uid-c3"), _start("C-3", client_id="uid-c3")]
    )
    assert [r["status"] for r in one_go] == [201, 201, 200] and one_go[1]["body"] == one_go[2]["body"]
    assert statements.count("INSERT INTO care_flows") == 1 and "SAVEPOINT" not in statements
    statements.clear()
    again = _push(client, [_start("C-1", client_id="uid-c1")])  # a later batch: found in the database
    assert again[0]["status"] == 200 and again[0]["body"]["id"] == results[2]["body"]["id"]
    assert "INSERT INTO care_flows" not in statements
