"""schemathesis over /openapi.json against a real uvicorn process: no 5xx, no undocumented status."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from careapp.server.tests.harness import ServerProcess, cli, make_api_key

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, str]]:
    workdir: Path = tmp_path_factory.mktemp("fuzz")
    db_url = f"sqlite:///{workdir / 'fuzz.sqlite3'}"
    cli("seed-demo", "--db", db_url)
    key = make_api_key(db_url, "admin")
    server = ServerProcess(db_url, workdir)
    with server.running():
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
    # A random X-Acting-User is simply unknown (403); drop it so the fuzzing reaches the handlers.
    if case.headers:
        case.headers.pop("X-Acting-User", None)
    case.call_and_validate(
        base_url=server.url, headers={"Authorization": f"Bearer {key}"}, checks=CHECKS, timeout=10
    )
