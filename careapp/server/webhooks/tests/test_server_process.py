"""careapp-server as a real process: webhooks queued while it cannot send them are delivered by
the next process that starts, verified with standardwebhooks on the real clock."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import httpx

from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID
from careapp.server.tests.harness import ServerProcess, cli, make_api_key
from careapp.server.webhooks.tests.receiver import Receiver


def test_webhooks_queued_before_a_restart_are_delivered_after_it(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'server.sqlite3'}"
    cli("seed-demo", "--db", db_url)
    key = make_api_key(db_url)
    auth = {"Authorization": f"Bearer {key}"}
    receiver = Receiver().start()
    try:
        # First process: queues webhooks, but its dispatcher is off (as if it died before sending).
        first = ServerProcess(db_url, tmp_path, extra=("--no-webhook-dispatcher",))
        with first.running(), httpx.Client(base_url=first.url, headers=auth, timeout=10) as api:
            r = api.post(
                "/v1/webhook-endpoints",
                json={"url": receiver.url, "events": ["care_flow.started", "care_flow.stopped"]},
            )
            assert r.status_code == 201, r.text
            endpoint_id = r.json()["id"]
            receiver.secrets.append(r.json()["secret"])
            p = api.post(
                "/v1/patients",
                json={
                    "family_name": "Claes",
                    "given_name": "Mira",
                    "identifiers": [{"system": DEMO_HOSPITAL_PATIENT_ID, "value": "WH-P1"}],
                },
            ).json()
            flow = api.post(
                "/v1/care-flows",
                json={
                    "patient_id": p["id"],
                    "definition_id": "chronic-care-check-in",
                    "baseline": {"dry_weight_kg": 80},
                },
            ).json()
            api.post(f"/v1/care-flows/{flow['id']}/stop", json={})
            log = api.get(f"/v1/webhook-endpoints/{endpoint_id}/deliveries").json()
            assert [d["status"] for d in log["items"]] == ["pending", "pending"]
        assert receiver.received == []
        # The static link never expires: its token is not stored in clear with the delivery.
        token = flow["hosted_pages_link"].rsplit("/l/", 1)[1]
        with sqlite3.connect(tmp_path / "server.sqlite3") as db:
            stored = [row[0] for row in db.execute("SELECT payload FROM webhook_deliveries")]
        assert len(stored) == 2 and not any(token in p or "/l/" in p for p in stored)

        # Second process: its dispatcher picks the pending rows up from the database.
        second = ServerProcess(db_url, tmp_path)
        with second.running(), httpx.Client(base_url=second.url, headers=auth, timeout=10) as api:
            assert receiver.wait_for_processed(2), "the restarted server delivers what was queued"
            log = api.get(f"/v1/webhook-endpoints/{endpoint_id}/deliveries").json()
            # The delivery is recorded just after the receiver answers: poll the log briefly.
            for _ in range(200):
                if {d["status"] for d in log["items"]} == {"delivered"}:
                    break
                log = api.get(f"/v1/webhook-endpoints/{endpoint_id}/deliveries").json()
            assert {d["status"] for d in log["items"]} == {"delivered"}
            assert all(d["attempts"] == 1 and d["last_status_code"] == 204 for d in log["items"])
        assert all(r.verified for r in receiver.received) and not receiver.duplicates
        by_type = {p["type"]: p for p in receiver.processed.values()}
        assert by_type["care_flow.started"]["data"]["hosted_pages_link"] == flow["hosted_pages_link"]
        assert sorted(p["type"] for p in receiver.processed.values()) == [
            "care_flow.started",
            "care_flow.stopped",
        ]
        for log_text in (first.log(), second.log()):
            assert receiver.secrets[0] not in log_text and "Traceback" not in log_text
    finally:
        receiver.stop()
