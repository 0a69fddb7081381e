"""The change feed (paging, 410 after retention) and the command line."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID
from careapp.server import changes
from careapp.server.context import Services, system_tx
from careapp.server.tests.harness import cli


class FrozenClock:
    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current


def test_feed_pages_and_expires(client: TestClient, seeded: Services) -> None:
    for n in range(3):
        client.post(
            "/v1/patients",
            json={
                "family_name": f"F{n}",
                "identifiers": [{"system": DEMO_HOSPITAL_PATIENT_ID, "value": f"C{n}"}],
            },
        )
    page = client.get("/v1/changes", params={"since": "0", "limit": 2}).json()
    assert page["has_more"] and len(page["changes"]) == 2
    rest = client.get("/v1/changes", params={"since": page["next_cursor"]}).json()
    patients = [c for c in page["changes"] + rest["changes"] if c["resource_type"] == "patient"]
    assert [c["resource"]["family_name"] for c in patients] == ["F0", "F1", "F2"]
    assert not rest["has_more"]
    # Move the clock past the retention window and prune: the old cursor is gone.
    seeded.clock = FrozenClock(datetime.now(UTC) + seeded.config.change_retention + timedelta(days=1))
    with system_tx(seeded) as tx:
        assert changes.prune(tx) > 0
    gone = client.get("/v1/changes", params={"since": page["next_cursor"]})
    assert gone.status_code == 410 and gone.json()["current_cursor"] == rest["next_cursor"]
    assert client.get("/v1/changes", params={"since": rest["next_cursor"]}).status_code == 200
    assert client.get("/v1/changes", params={"since": "abc"}).status_code == 422


def test_cli_help_and_bad_input() -> None:
    ok = subprocess.run(
        [sys.executable, "-m", "careapp.server", "--help"], capture_output=True, text=True, timeout=60
    )
    assert ok.returncode == 0 and "workstation" in ok.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "careapp.server", "--db", "nonsense://", "migrate"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode != 0 and len(bad.stderr.strip().splitlines()) == 1


def test_seed_is_idempotent_and_database_is_bound_to_its_deployment(sqlite_url: str) -> None:
    assert '"care_flow_definitions": 5' in cli("seed-demo", "--db", sqlite_url)
    assert '"care_flow_definitions": 0' in cli("seed-demo", "--db", sqlite_url)
    code = cli("workstation", "add", "--name", "Demo", "--db", sqlite_url).strip().splitlines()[-1]
    assert len(code) == 19 and code.count("-") == 3
    with pytest.raises(RuntimeError, match="belongs to eu/sandbox"):
        cli("migrate", "--db", sqlite_url, "--region", "us")
