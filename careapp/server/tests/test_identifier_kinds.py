"""Wrong-patient merges refused on the backend: a shared visit number never makes two hospital
patients one, and a record holding another value of a one-per-patient system (a second hospital
id beside a known national number) is refused. A real careapp-server process over SQLite and
PostgreSQL; the rule is the desktop's (careapp.domain.identifiers.IdentifierKinds.clash).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID as PID
from careapp.domain.identifiers import DEMO_HOSPITAL_VISIT_NUMBER as VN
from careapp.domain.identifiers import DEMO_NATIONAL_NUMBER as NN
from careapp.server.tests.harness import ServerProcess, cli, make_api_key

ACCOUNT = "urn:oid:1.2.3.4.account"


@pytest.fixture
def api(db_url: str, tmp_path: Path) -> Iterator[httpx.Client]:
    cli("seed-demo", "--db", db_url)
    admin = make_api_key(db_url, "admin")
    proc = ServerProcess(db_url, tmp_path)
    with (
        proc.running(),
        httpx.Client(base_url=proc.url, headers={"Authorization": f"Bearer {admin}"}, timeout=30) as client,
    ):
        yield client
    assert "Traceback" not in proc.log()


def _push(api: httpx.Client, key: tuple[str, str], family: str, *others: tuple[str, str]) -> httpx.Response:
    identifiers = [{"system": s, "value": v} for s, v in (key, *others)]
    body = {
        "identifier": identifiers[0],
        "patient": {"family_name": family, "given_name": "An", "identifiers": identifiers},
        "physician": {"code": f"DR-{family}", "name": f"Dr {family}"},
    }
    return api.put("/v1/patients/by-identifier", json=body)


def _patients(api: httpx.Client) -> dict[str, set[tuple[str, str]]]:
    """Family name → identifiers of every patient on the backend."""
    items = api.get("/v1/patients", params={"limit": 100}).json()["items"]
    return {p["family_name"]: {(i["system"], i["value"]) for i in p["identifiers"]} for p in items}


def _refused(answer: httpx.Response, *values: str) -> str:
    assert answer.status_code == 409, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    problem = answer.json()
    detail: str = problem["detail"]
    assert problem["type"].endswith("identifier-conflict") and "\n" not in detail
    assert not any(value in answer.text for value in values)  # no identifier values echoed
    return detail


def test_two_pushes_sharing_a_visit_number_for_two_hospital_ids_stay_two_patients(api: httpx.Client) -> None:
    assert _push(api, (PID, "100771"), "Peeters", (VN, "V77")).status_code == 201
    # The hospital keys its next push by the visit number, which it gave another patient too.
    refused = _refused(_push(api, (VN, "V77"), "Janssens", (PID, "100772")), "V77", "100772")
    assert "has this visit number but another hospital patient id" in refused
    # By hospital id, and through POST /v1/patients (which used to return Peeters).
    _refused(_push(api, (PID, "100772"), "Janssens", (VN, "V77")))
    created = {"family_name": "Janssens", "identifiers": [{"system": PID, "value": "100772"},
                                                          {"system": VN, "value": "V77"}]}  # fmt: skip
    _refused(api.post("/v1/patients", json=created))
    assert _push(api, (PID, "100772"), "Janssens", (VN, "V78")).status_code == 201
    assert _patients(api) == {
        "Peeters": {(PID, "100771"), (VN, "V77")},
        "Janssens": {(PID, "100772"), (VN, "V78")},
    }
    # The same person's next stay still updates them.
    again = _push(api, (PID, "100771"), "Peeters-Claes", (VN, "V79"))
    assert again.status_code == 200 and again.json()["patient_created"] is False


def test_a_push_sharing_a_national_number_under_another_hospital_id_is_refused_and_writes_nothing(
    api: httpx.Client,
) -> None:
    assert _push(api, (PID, "100771"), "Peeters", (NN, "85073112345")).status_code == 201
    physicians = api.get("/v1/physicians", params={"limit": 100}).json()["total"]
    cursor = api.get("/v1/changes", params={"since": "0"}).json()["next_cursor"]
    for key, other in (((PID, "100772"), (NN, "85073112345")), ((NN, "85073112345"), (PID, "100772"))):
        detail = _refused(_push(api, key, "Janssens", other), "85073112345", "100772")
        assert detail == (
            "Nothing was saved: a patient on this backend has this national number but another "
            "hospital patient id. Two patients cannot share a national number; ask the hospital to "
            "check this record."
        )
    national = [{"system": NN, "value": "85073112345"}]
    upsert = {"identifier": {"system": PID, "value": "100772"},
              "patient": {"family_name": "Janssens", "identifiers": national}}  # fmt: skip
    operation = {"kind": "patient.upsert", "idempotency_key": "b1", "body": upsert}
    batch = api.post("/v1/batch", json={"operations": [operation]})
    assert batch.status_code == 200, batch.text
    [answer] = batch.json()["results"]
    assert answer["status"] == 409 and "national number" in answer["body"]["detail"]
    assert _patients(api) == {"Peeters": {(PID, "100771"), (NN, "85073112345")}}
    assert api.get("/v1/physicians", params={"limit": 100}).json()["total"] == physicians
    assert api.get("/v1/changes", params={"since": cursor}).json()["changes"] == []


def test_a_system_nobody_classified_never_identifies_until_an_admin_says_so(api: httpx.Client) -> None:
    made = api.post("/v1/identifier-systems", json={"name": "Account number", "uri": ACCOUNT})
    assert made.status_code == 201 and made.json()["kind"] == "many_per_patient"
    assert _push(api, (ACCOUNT, "A1"), "Peeters").status_code == 201
    detail = _refused(_push(api, (ACCOUNT, "A1"), "Peeters"), "A1")
    assert "an account number alone does not show it is the same person" in detail
    system: dict[str, Any] = made.json()
    changed = api.patch(f"/v1/identifier-systems/{system['id']}", json={"kind": "one_per_patient"})
    assert changed.status_code == 200 and changed.json()["kind"] == "one_per_patient"
    assert _push(api, (ACCOUNT, "A1"), "Peeters").status_code == 200
    kinds = {s["uri"]: s["kind"] for s in api.get("/v1/identifier-systems").json()["items"]}
    assert (kinds[PID], kinds[VN], kinds[NN]) == ("one_per_patient", "many_per_patient", "one_per_patient")
