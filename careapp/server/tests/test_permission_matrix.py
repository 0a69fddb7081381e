"""Permissions as a table: every operation of the OpenAPI document × every kind of caller.

A real careapp-server on loopback, real credentials (paired and revoked workstations, API keys,
a key of another environment). Each operation is sent with placeholder ids and an empty body: an
allowed caller gets past authorization (any answer but 401/403, never a 5xx); a refused one gets
401 (no, revoked or foreign credential) or 403, before anything looks at the body.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from careapp.server.tests.harness import ServerProcess, cli, make_api_key

CALLERS = (
    "none",  # no Authorization header
    "ws",  # workstation credential, nobody named in X-Acting-User
    "ws+clinician",
    "ws+admin",
    "integrator",  # integrator API key
    "admin",  # admin API key
    "revoked",  # a revoked workstation credential
    "other-env",  # an admin key of eu/production, sent to eu/sandbox
)

# Who may do what (README "Security"). Each rule lists the callers let through.
AUTHENTICATED = frozenset(CALLERS) - {"none", "revoked", "other-env"}
RULES: dict[str, frozenset[str]] = {
    "public": frozenset(CALLERS),  # no credential needed: health, pairing
    # Reference data without people or patients in it, and the outbox (each operation in it is
    # checked again for the acting user it names).
    "reference": AUTHENTICATED,
    "patient": frozenset({"ws+clinician", "ws+admin", "integrator", "admin"}),
    "provisioning": frozenset({"ws+admin", "integrator", "admin"}),
    "directory": frozenset({"ws+admin", "integrator", "admin"}),
    "admin-read": frozenset({"ws+admin", "admin"}),
    "admin": frozenset({"admin"}),
}

EXPECTED: dict[str, str] = {
    "GET /v1/health": "public",
    "POST /v1/users": "provisioning",
    "GET /v1/users": "provisioning",
    "PATCH /v1/users/{user_id}": "provisioning",
    "POST /v1/users/{user_id}/deactivate": "provisioning",
    "GET /v1/identifier-systems": "reference",
    "POST /v1/identifier-systems": "admin",
    "PATCH /v1/identifier-systems/{system_id}": "admin",
    "GET /v1/physicians": "reference",
    "POST /v1/physicians": "directory",
    "GET /v1/physicians/{physician_id}": "reference",
    "POST /v1/workstations": "admin",
    "GET /v1/workstations": "admin",
    "POST /v1/workstations/pair": "public",
    "POST /v1/workstations/{workstation_id}/revoke": "admin",
    "POST /v1/patients": "patient",
    "GET /v1/patients": "patient",
    "GET /v1/patients/{patient_id}": "patient",
    "PATCH /v1/patients/{patient_id}": "patient",
    "GET /v1/patients/{patient_id}/care-flows": "patient",
    "PUT /v1/patients/by-identifier": "patient",
    "GET /v1/care-flow-definitions": "reference",
    "POST /v1/care-flow-definitions": "admin",
    "GET /v1/care-flow-definitions/{definition_id}": "reference",
    "GET /v1/care-flow-definitions/{definition_id}/versions": "reference",
    "GET /v1/care-flow-definitions/{definition_id}/versions/{version}": "reference",
    "GET /v1/care-flow-definitions/{definition_id}/working-version": "admin",
    "PUT /v1/care-flow-definitions/{definition_id}/working-version": "admin",
    "POST /v1/care-flow-definitions/{definition_id}/publish": "admin",
    "PUT /v1/care-flow-definitions/{definition_id}/live-version": "admin",
    "GET /v1/care-flow-definitions/{definition_id}/export": "admin",
    "GET /v1/care-flow-definitions/{definition_id}/constants": "admin",
    "PUT /v1/care-flow-definitions/{definition_id}/constants/{key}": "admin",
    "POST /v1/care-flows": "patient",
    "GET /v1/care-flows": "patient",
    "GET /v1/care-flows/{care_flow_id}": "patient",
    "GET /v1/notification-channels": "admin",
    "PUT /v1/notification-channels/{channel}": "admin",
    "GET /v1/care-flows/{care_flow_id}/notifications": "patient",
    "POST /v1/care-flows/{care_flow_id}/notifications": "patient",
    "GET /v1/patients/{patient_id}/notification-preferences": "patient",
    "PUT /v1/patients/{patient_id}/notification-preferences/{channel}": "patient",
    "POST /v1/sms-replies": "patient",
    "POST /v1/notification-bounces": "patient",
    "POST /v1/care-flows/{care_flow_id}/baseline": "patient",
    "POST /v1/care-flows/{care_flow_id}/stop": "patient",
    "POST /v1/care-flows/{care_flow_id}/answers-viewed": "patient",
    "GET /v1/care-flows/{care_flow_id}/activities": "patient",
    "GET /v1/activities": "patient",
    "GET /v1/activities/{activity_id}": "patient",
    "POST /v1/activities/{activity_id}/complete": "patient",
    "POST /v1/activities/{activity_id}/form-response": "patient",
    "GET /v1/changes": "patient",
    "POST /v1/batch": "reference",
    "GET /v1/promotions/status": "admin-read",
    "GET /v1/promotions": "admin",
    "POST /v1/promotions/exports": "admin",
    "POST /v1/promotions/exports/{promotion_id}/completion": "admin",
    "POST /v1/promotions/imports": "admin",
    "GET /v1/activities/{activity_id}/api-call": "admin",
    "POST /v1/webhook-endpoints": "admin",
    "GET /v1/webhook-endpoints": "admin",
    "GET /v1/webhook-endpoints/{endpoint_id}": "admin",
    "PATCH /v1/webhook-endpoints/{endpoint_id}": "admin",
    "DELETE /v1/webhook-endpoints/{endpoint_id}": "admin",
    "POST /v1/webhook-endpoints/{endpoint_id}/rotate-secret": "admin",
    "GET /v1/webhook-endpoints/{endpoint_id}/deliveries": "admin",
    "GET /v1/webhook-endpoints/{endpoint_id}/deliveries/{delivery_id}": "admin",
    "POST /v1/webhook-endpoints/{endpoint_id}/deliveries/{delivery_id}/redeliver": "admin",
    "POST /v1/hospital-connections": "admin",
    "GET /v1/hospital-connections": "admin",
    "GET /v1/hospital-connections/{connection_id}": "admin",
    "PUT /v1/hospital-connections/{connection_id}": "admin",
    "DELETE /v1/hospital-connections/{connection_id}": "admin",
    "GET /v1/hospital-connections/{connection_id}/result-messages": "admin",
    "POST /v1/hospital-connections/{connection_id}/result-messages/{message_id}/redeliver": "admin",
    "GET /v1/care-flows/{care_flow_id}/result-messages": "patient",
    "GET /v1/care-flows/{care_flow_id}/responses": "patient",
    "POST /v1/hosted-pages-sessions": "patient",
    "GET /v1/hosted-pages-sessions/{session_id}": "patient",
    "GET /v1/care-flows/{care_flow_id}/hosted-pages-link": "patient",
    "POST /v1/care-flows/{care_flow_id}/hosted-pages-link": "patient",
    "POST /v1/care-flows/{care_flow_id}/hosted-pages-link/revoke": "patient",
    "POST /v1/care-flow-definitions/{definition_id}/enrollment-links": "patient",
    "GET /v1/enrollment-links/{link_id}": "patient",
    "POST /v1/enrollment-links/{link_id}/revoke": "patient",
}
PLACEHOLDER = "00000000-0000-4000-8000-000000000000"


@dataclass(frozen=True)
class World:
    server: ServerProcess
    headers: dict[str, dict[str, str]]  # caller → request headers


def _pair(server: ServerProcess, name: str) -> tuple[str, str]:
    code = cli("workstation", "add", "--name", name, "--db", server.db_url).strip().splitlines()[-1]
    paired = httpx.post(server.url + "/v1/workstations/pair", json={"pairing_code": code})
    assert paired.status_code == 201, paired.text
    return paired.json()["workstation_id"], paired.json()["credential"]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    workdir: Path = tmp_path_factory.mktemp("matrix")
    db_url = f"sqlite:///{workdir / 'server.sqlite3'}"
    cli("seed-demo", "--db", db_url)
    foreign = make_api_key(f"sqlite:///{workdir / 'production.sqlite3'}", "admin", env="production")
    server = ServerProcess(db_url, workdir)
    with server.running(timeout=120):  # generous: the machine may be busy
        admin = {"Authorization": f"Bearer {make_api_key(db_url)}"}
        for name, role in (("matrix.nurse", "clinician"), ("matrix.admin", "admin")):
            body = {"username": name, "display_name": name, "role": role}
            assert httpx.post(server.url + "/v1/users", json=body, headers=admin).status_code == 201
        _ws_id, workstation = _pair(server, "Ward 1")
        revoked_id, revoked = _pair(server, "Ward 2")
        httpx.post(f"{server.url}/v1/workstations/{revoked_id}/revoke", headers=admin).raise_for_status()
        ws = {"Authorization": f"Bearer {workstation}"}
        yield World(
            server,
            {
                "none": {},
                "ws": ws,
                "ws+clinician": {**ws, "X-Acting-User": "matrix.nurse"},
                "ws+admin": {**ws, "X-Acting-User": "matrix.admin"},
                "integrator": {"Authorization": f"Bearer {make_api_key(db_url, 'integrator')}"},
                "admin": admin,
                "revoked": {"Authorization": f"Bearer {revoked}"},
                "other-env": {"Authorization": f"Bearer {foreign}"},
            },
        )
    assert "Traceback" not in server.log()


def _operations(spec: dict) -> list[tuple[str, str, dict]]:
    return [
        (method.upper(), path, op)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]


def _concrete(path: str) -> str:
    return path.replace("{version}", "1").replace("{key}", "k").format_map(_Placeholders())


class _Placeholders(dict):
    def __missing__(self, key: str) -> str:
        return PLACEHOLDER


def test_the_table_covers_every_documented_operation(world: World) -> None:
    spec = httpx.get(world.server.url + "/openapi.json").json()
    documented = {f"{method} {path}" for method, path, _op in _operations(spec)}
    assert documented == set(EXPECTED), (
        f"missing from the table: {sorted(documented - set(EXPECTED))}; "
        f"no longer documented: {sorted(set(EXPECTED) - documented)}"
    )


def test_every_operation_times_every_caller(world: World) -> None:
    spec = httpx.get(world.server.url + "/openapi.json").json()
    wrong = []
    with httpx.Client(base_url=world.server.url, timeout=30) as client:
        for method, path, op in _operations(spec):
            allowed = RULES[EXPECTED[f"{method} {path}"]]
            for caller in CALLERS:
                response = client.request(
                    method,
                    _concrete(path),
                    headers=world.headers[caller],
                    json={} if "requestBody" in op else None,
                )
                status = response.status_code
                if caller in allowed:
                    ok = status not in (401, 403) and status < 500
                else:
                    ok = status == (403 if caller in AUTHENTICATED else 401)
                if not ok:
                    wrong.append(f"{method} {path} as {caller}: {status} {response.text[:120]}")
    assert not wrong, "\n".join(wrong)


def test_a_workstation_provisions_people_only_for_an_acting_admin(world: World) -> None:
    """The reviewer's path: a ward credential alone making an admin, then acting as that admin."""
    url = world.server.url
    ws = world.headers["ws"]
    admin_body = {"username": "mallory", "display_name": "M", "role": "admin"}
    assert httpx.post(url + "/v1/users", json=admin_body, headers=ws).status_code == 403
    nurse = httpx.get(url + "/v1/users", headers=world.headers["admin"]).json()["items"]
    nurse_id = next(u["id"] for u in nurse if u["username"] == "matrix.nurse")
    promote = {"role": "admin"}
    assert httpx.patch(f"{url}/v1/users/{nurse_id}", json=promote, headers=ws).status_code == 403
    clinician = world.headers["ws+clinician"]
    assert httpx.patch(f"{url}/v1/users/{nurse_id}", json=promote, headers=clinician).status_code == 403
    batch = {
        "operations": [
            {"idempotency_key": "mallory-1", "kind": "user.provision", "body": admin_body},
            {
                "idempotency_key": "mallory-2",
                "kind": "user.provision",
                "acting_user": "matrix.nurse",
                "body": admin_body,
            },
        ]
    }
    answers = httpx.post(url + "/v1/batch", json=batch, headers=ws).json()["results"]
    assert [a["status"] for a in answers] == [403, 403]
    # An integrator key provisions clinicians, never admins.
    integrator = world.headers["integrator"]
    assert httpx.post(url + "/v1/users", json=admin_body, headers=integrator).status_code == 403
    assert httpx.patch(f"{url}/v1/users/{nurse_id}", json=promote, headers=integrator).status_code == 403
    assert (
        httpx.get(url + "/v1/promotions/status", headers={**ws, "X-Acting-User": "mallory"}).status_code
        == 403
    )
    # An acting admin may.
    made = httpx.post(
        url + "/v1/users", json={**admin_body, "username": "ward.admin2"}, headers=world.headers["ws+admin"]
    )
    assert made.status_code == 201


def test_a_new_workstation_provisions_its_first_admin_once(world: World) -> None:
    """The person who pairs a workstation becomes its first user, for themself, through the outbox."""
    url = world.server.url
    _id, credential = _pair(world.server, "Ward 3")
    ws = {"Authorization": f"Bearer {credential}"}

    def provision(key: str, username: str, acting: str) -> int:
        op = {
            "idempotency_key": key,
            "kind": "user.provision",
            "acting_user": acting,
            "body": {"username": username, "display_name": username, "role": "admin"},
        }
        result = httpx.post(url + "/v1/batch", json={"operations": [op]}, headers=ws).json()["results"][0]
        return int(result["status"])

    assert provision("first", "ward3.admin", "ward3.admin") == 201
    assert provision("second", "ward3.other", "ward3.other") == 403  # only the first, once
    assert provision("third", "ward3.other", "ward3.admin") == 201  # the admin acting
