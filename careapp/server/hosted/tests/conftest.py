"""Fixtures for the hosted pages: a real database, an injected clock, and an event recorder."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID
from careapp.server.app import build_services, create_app
from careapp.server.config import ServerConfig
from careapp.server.context import Services, Tx
from careapp.server.events import DomainEvent
from careapp.server.schema import prepare
from careapp.server.tests.conftest import db_url  # noqa: F401 - the sqlite/postgres parametrised URL
from careapp.server.tests.harness import cli, make_api_key

PRE_OP_BASELINE = {"surgery_date": "2031-03-04", "procedure": "Total knee replacement"}
BIRTH_DATE = "1980-05-04"


class FakeClock:
    """The server's clock, moved by the test instead of waiting."""

    def __init__(self) -> None:
        self.at = datetime(2030, 1, 7, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@dataclass
class Recorder:
    events: list[DomainEvent] = field(default_factory=list)

    def __call__(self, tx: Tx, event: DomainEvent) -> None:
        self.events.append(event)

    def of(self, kind: str, session_id: str | None = None) -> list[DomainEvent]:
        return [
            e
            for e in self.events
            if e.type == kind and (session_id is None or e.data.get("session_id") == session_id)
        ]


@dataclass
class Hosted:
    services: Services
    clock: FakeClock
    client: TestClient
    events: Recorder

    def patient(self, value: str = "P-100", birth_date: str | None = BIRTH_DATE) -> str:
        body: dict[str, Any] = {
            "family_name": "Peeters",
            "given_name": "Lotte",
            "identifiers": [{"system": DEMO_HOSPITAL_PATIENT_ID, "value": value}],
        }
        if birth_date:
            body["birth_date"] = birth_date
        r = self.client.post("/v1/patients", json=body)
        assert r.status_code in (200, 201), r.text
        return str(r.json()["id"])

    def start(self, patient_id: str, definition_id: str = "pre-op-intake") -> dict[str, Any]:
        baseline = PRE_OP_BASELINE if definition_id == "pre-op-intake" else {}
        r = self.client.post(
            "/v1/care-flows",
            json={"patient_id": patient_id, "definition_id": definition_id, "baseline": baseline},
        )
        assert r.status_code == 201, r.text
        return dict(r.json())

    def session(self, care_flow_id: str, **fields: Any) -> dict[str, Any]:
        r = self.client.post("/v1/hosted-pages-sessions", json={"care_flow_id": care_flow_id, **fields})
        assert r.status_code == 201, r.text
        return dict(r.json())


def path_of(url: str) -> str:
    """The path of a link minted for the configured public URL (tests talk to the app directly)."""
    return "/" + url.split("/", 3)[3]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def hosted(db_url: str, clock: FakeClock) -> Iterator[Hosted]:  # noqa: F811 - fixture from conftest
    services = build_services(ServerConfig(db_url=db_url), clock=clock)
    prepare(services.db, services.config, services.clock)
    cli("seed-demo", "--db", db_url)
    key = make_api_key(db_url, "integrator")
    recorder = Recorder()
    services.bus.subscribe("*", recorder)
    app = create_app(services=services)
    with TestClient(app, headers={"Authorization": f"Bearer {key}"}, follow_redirects=False) as client:
        yield Hosted(services, clock, client, recorder)
    services.db.dispose()


# The live server and Chromium for the browser tests (imported here: livesite uses this module).
@pytest.fixture
def live(tmp_path: Any) -> Iterator[Any]:
    from .livesite import live_server

    with live_server(tmp_path) as server:
        yield server


@pytest.fixture
def customer_site() -> Iterator[str]:
    from .livesite import customer_site as site

    with site() as url:
        yield url


@pytest.fixture
def browser() -> Iterator[Any]:
    from .livesite import chromium

    with chromium() as launched:
        yield launched
