"""A care flow ward on the injected clock: the real app and database, the scheduler driven by hand."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID
from careapp.server.app import build_services, create_app
from careapp.server.config import ServerConfig
from careapp.server.context import Services
from careapp.server.engine.scheduler import Scheduler
from careapp.server.events import DomainEvent
from careapp.server.schema import prepare
from careapp.server.tests.conftest import db_url  # noqa: F401 - the sqlite/postgres parametrised URL
from careapp.server.tests.harness import cli, make_api_key


class WardClock:
    """The server's clock, moved by the test instead of waiting."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@dataclass
class Ward:
    services: Services
    clock: WardClock
    api: TestClient
    scheduler: Scheduler
    events: list[DomainEvent] = field(default_factory=list)

    def publish(self, document: dict[str, Any]) -> None:
        r = self.api.post("/v1/care-flow-definitions", json=copy.deepcopy(document))
        assert r.status_code == 201, r.text
        r = self.api.post(f"/v1/care-flow-definitions/{document['id']}/publish")
        assert r.status_code in (200, 201), r.text

    def patient(self, value: str) -> str:
        body = {
            "family_name": "Peeters",
            "given_name": "Lotte",
            "identifiers": [{"system": DEMO_HOSPITAL_PATIENT_ID, "value": value}],
        }
        r = self.api.post("/v1/patients", json=body)
        assert r.status_code in (200, 201), r.text
        return str(r.json()["id"])

    def start(self, definition_id: str, baseline: dict[str, Any], value: str = "P-1") -> dict[str, Any]:
        body = {"patient_id": self.patient(value), "definition_id": definition_id, "baseline": baseline}
        r = self.api.post("/v1/care-flows", json=body)
        assert r.status_code == 201, r.text
        return dict(r.json())

    def flow(self, flow_id: str) -> dict[str, Any]:
        r = self.api.get(f"/v1/care-flows/{flow_id}")
        assert r.status_code == 200, r.text
        return dict(r.json())

    def step(self, flow_id: str, step_id: str) -> dict[str, Any]:
        return next(s for s in self.flow(flow_id)["timeline"] if s["id"] == step_id)

    def open_activities(self, flow_id: str) -> list[dict[str, Any]]:
        r = self.api.get(f"/v1/care-flows/{flow_id}/activities", params={"status": "active"})
        return [a for a in r.json()["items"] if a["stakeholder"] != "system"]

    def move_to(self, at: datetime) -> int:
        """Set the clock to AT and let the scheduler fire what fell due."""
        self.clock.at = at
        return self.scheduler.run_once()

    def of(self, kind: str) -> list[DomainEvent]:
        return [e for e in self.events if e.type == kind]


def ward_at(db_url: str, at: datetime) -> Iterator[Ward]:  # noqa: F811
    clock = WardClock(at)
    services = build_services(ServerConfig(db_url=db_url, time_zone="Europe/Brussels"), clock=clock)
    prepare(services.db, services.config, services.clock)
    cli("seed-demo", "--db", db_url)  # identifier systems (and the demo care flows)
    key = make_api_key(db_url, "admin")
    ward = Ward(services, clock, None, Scheduler(services))
    services.bus.subscribe("*", lambda _tx, event: ward.events.append(event))
    app = create_app(services=services, scheduler=False)  # fired by hand: ward.move_to
    with TestClient(app, headers={"Authorization": f"Bearer {key}"}) as client:
        ward.api = client
        yield ward
    services.db.dispose()


@pytest.fixture
def ward(db_url: str) -> Iterator[Ward]:  # noqa: F811
    # Friday 27 March 2026, 11:00 in Brussels; the clocks go forward on Sunday at 02:00.
    yield from ward_at(db_url, datetime(2026, 3, 27, 10, 0, tzinfo=UTC))
