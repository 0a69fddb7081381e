"""A live careapp-server with a paired workstation, a provisioned nurse and started care flows,
for the hosted pages tests of the desktop (careapp.backend, careapp.links, careapp.ui.links).

Set up through the server's own HTTP API with an integrator key, the way a hospital would.
"""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from careapp.backend import BackendClient, RetryPolicy
from careapp.backend.tests.live import LiveServer
from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID

FLOW = "chronic-care-check-in"
WALK_IN = "walk-in-check-in"  # like FLOW without required baseline: it can be self-enrolled
DEMO_FLOWS = Path(__file__).resolve().parents[2] / "server" / "demo"
NURSE = "nurse"
_ids = itertools.count(1)


@dataclass
class HostedWorld:
    server: LiveServer
    api_key: str
    credential: str
    started: list[str] = field(default_factory=list)

    def client(self, base_url: str | None = None) -> BackendClient:
        # No backoff sleeps in tests: a failed call fails at once.
        return BackendClient(
            base_url or self.server.url, self.credential, retry=RetryPolicy(attempts=1), sleep=lambda _s: None
        )

    def api(self, method: str, path: str, body: Any = None) -> Any:
        response = requests.request(
            method,
            self.server.url + path,
            json=body,
            headers={"Authorization": f"Bearer {self.api_key}"},
            timeout=30,
        )
        assert response.status_code < 300, response.text
        return response.json()

    def start_care_flow(self, given_name: str = "Lotte Marie", language: str = "nl") -> dict[str, Any]:
        """A new patient enrolled in the heart failure check-in (one pending patient form)."""
        patient = self.api(
            "POST",
            "/v1/patients",
            {
                "family_name": "Peeters",
                "given_name": given_name,
                "language": language,
                "identifiers": [{"system": DEMO_HOSPITAL_PATIENT_ID, "value": f"HP-{next(_ids):05d}"}],
            },
        )
        flow = self.api(
            "POST",
            "/v1/care-flows",
            {"patient_id": patient["id"], "definition_id": FLOW, "baseline": {"dry_weight_kg": 70}},
        )
        assert flow["status"] == "active", flow
        self.started.append(flow["id"])
        return flow

    def complete_session(self, url: str) -> None:
        """Fill in the patient's weekly form through the session's page, as a phone without
        JavaScript would; the session then completes."""
        # LiveServer keeps the default public url (port 8750): reach the page on its real port.
        url = self.server.url + urlsplit(url).path
        with requests.Session() as phone:
            page = phone.get(url, timeout=30)
            assert page.status_code == 200, page.text[:300]
            data = {
                "csrf": _hidden(page.text, "csrf"),
                "action": "activity",
                "activity_id": _hidden(page.text, "activity_id"),
            }
            names = set(re.findall(r'name="([^"]+)"', page.text)) - set(data)
            for name in names:
                if "weight" in name:
                    data[name] = "71"
                elif "breathless" in name:
                    data[name] = "never"
                elif "pills" in name:
                    data[name] = "yes"
            done = phone.post(url, data=data, timeout=30, allow_redirects=False)
            assert done.status_code in (200, 303), done.text[:500]


def _hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no hidden field {name!r} in the page"
    return match.group(1)


def _publish_walk_in(server: LiveServer, workdir: Path) -> None:
    """Self-enrollment needs a definition without required baseline data points (none of the demo
    flows qualifies): publish one through the operators' CLI."""
    document = json.loads((DEMO_FLOWS / f"{FLOW}.json").read_text(encoding="utf-8"))
    document["id"] = WALK_IN
    document["title"] = {"en": "Walk-in heart failure check-in"}
    for point in document["data_points"]:
        point["baseline"] = False
    path = workdir / f"{WALK_IN}.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "careapp.server", "flows", "import", str(path), "--publish",
         "--db", f"sqlite:///{server.db_path}", "--region", server.region, "--env", server.env],
        check=True, capture_output=True, text=True,
    )  # fmt: skip


def open_world(workdir: Path) -> HostedWorld:
    """Start the server, pair a workstation and provision the nurse. Stop with ``world.server.stop()``."""
    server = LiveServer(workdir).start()
    try:
        key = server.api_key("integrator")
        with BackendClient(server.url) as client:
            pairing = client.pair(server.pairing_code(), name="Ward 3 desk")
        world = HostedWorld(server, key, pairing.credential)
        world.api("POST", "/v1/users", {"username": NURSE, "display_name": "Nurse Anna"})
        _publish_walk_in(server, workdir)
        return world
    except BaseException:
        server.stop()
        raise
