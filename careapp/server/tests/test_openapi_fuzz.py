"""schemathesis over /openapi.json against a real uvicorn process, with every check it has: no
5xx, no undocumented status or header, schema-valid requests accepted and invalid ones refused,
auth not ignored, methods and required headers enforced, deleted resources gone."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS, load_all_checks

from careapp.server.tests.harness import ServerProcess, cli, make_api_key

load_all_checks()
# Rules a JSON schema cannot state, so schemathesis' "schema-valid request rejected" does not
# apply to them: a reference to an id that does not exist (422 unknown-patient, -care-flow, …),
# and a care flow definition document, which the domain parser checks (DOCUMENT_HELP).
_DOCUMENT_OPERATIONS = {
    "POST /v1/care-flow-definitions",
    "PUT /v1/care-flow-definitions/{definition_id}/working-version",
}


def positive_data_acceptance(ctx: Any, response: Any, case: schemathesis.Case) -> bool | None:
    if case.operation.label in _DOCUMENT_OPERATIONS:
        return None
    if response.status_code == 422 and response.json().get("type", "").startswith(UNKNOWN_REFERENCE):
        return None
    return _positive_data_acceptance(ctx, response, case)


UNKNOWN_REFERENCE = "urn:careapp:problem:unknown-"
_positive_data_acceptance: Any = CHECKS.get_one("positive_data_acceptance")  # a check function
# Every check schemathesis has (the one above in place of its own).
ALL_CHECKS = [c for c in CHECKS.get_all() if c is not _positive_data_acceptance] + [positive_data_acceptance]
ACTING_ADMIN = "fuzz.admin"  # a provisioned admin: every request names them, as a workstation would


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, str]]:
    workdir: Path = tmp_path_factory.mktemp("fuzz")
    db_url = f"sqlite:///{workdir / 'fuzz.sqlite3'}"
    cli("seed-demo", "--db", db_url)
    key = make_api_key(db_url, "admin")
    server = ServerProcess(db_url, workdir)
    with server.running(timeout=120):  # generous: the machine may be busy
        user = {"username": ACTING_ADMIN, "display_name": "Fuzz Admin", "role": "admin"}
        created = httpx.post(server.url + "/v1/users", json=user, headers={"Authorization": f"Bearer {key}"})
        assert created.status_code == 201, created.text
        yield server, key
    assert "Traceback" not in server.log()


@pytest.fixture(scope="module")
def api_schema(live: tuple[ServerProcess, str]) -> schemathesis.BaseSchema:
    server, _key = live
    return schemathesis.openapi.from_url(server.url + "/openapi.json")


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_openapi(case: schemathesis.Case, live: tuple[ServerProcess, str]) -> None:
    server, key = live
    # A random X-Acting-User is simply unknown (403): name the same provisioned admin every time.
    if case.headers and "X-Acting-User" in case.headers:
        case.headers["X-Acting-User"] = ACTING_ADMIN
    # A client uses a fresh Idempotency-Key per request; a generated one repeats across operations.
    if case.headers and "Idempotency-Key" in case.headers:
        case.headers["Idempotency-Key"] = uuid.uuid4().hex
    # The credential goes into the case itself (not the call), so that a negative case whose only
    # violation was a missing Authorization is re-validated as the positive case it now is.
    case.headers = {**dict(case.headers or {}), "Authorization": f"Bearer {key}"}  # type: ignore[assignment]  # schemathesis accepts a plain dict
    case.call_and_validate(base_url=server.url, checks=ALL_CHECKS, timeout=10)
