"""A live server on loopback for the patient pages in real headless Chromium, and the browser.

The server runs in-process under uvicorn on a free loopback port so a test can move its clock
(a session's hour passes without waiting).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID
from careapp.server.app import build_services, create_app
from careapp.server.config import ServerConfig
from careapp.server.schema import prepare
from careapp.server.tests.harness import cli, free_port, make_api_key

from .conftest import PRE_OP_BASELINE, FakeClock
from .definitions import CHECKLIST, SCALES, SELF_INTAKE, publish, with_birth_date_check

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
# Baseline values of the demo care flows that need them.
BASELINES: dict[str, dict[str, Any]] = {
    "pre-op-intake": PRE_OP_BASELINE,
    "chronic-care-check-in": {"dry_weight_kg": 72},
    "post-discharge-follow-up": {"discharge_date": "2030-01-06"},
}


class _CustomerSite(BaseHTTPRequestHandler):
    """The customer's own pages a session returns to."""

    def do_GET(self) -> None:
        body = f"<!doctype html><title>Clinic</title><h1>Back at the clinic: {self.path}</h1>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


class LiveServer:
    def __init__(self, tmp: Path) -> None:
        self.clock = FakeClock()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.db_url = f"sqlite:///{tmp / 'server.sqlite3'}"
        self.services = build_services(
            ServerConfig(db_url=self.db_url, public_url=self.url), clock=self.clock
        )
        prepare(self.services.db, self.services.config, self.services.clock)
        cli("seed-demo", "--db", self.db_url)
        for document in (
            SELF_INTAKE,
            with_birth_date_check(SELF_INTAKE, "checked-intake"),
            SCALES,
            CHECKLIST,
        ):
            publish(self.db_url, document, tmp)
        key = make_api_key(self.db_url, "integrator")
        config = uvicorn.Config(
            create_app(services=self.services), host="127.0.0.1", port=self.port, log_level="warning"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.api = httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {key}"}, timeout=10)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline and self.thread.is_alive(), "server did not start"
            time.sleep(0.01)  # waiting for readiness, not for time to pass
        return self

    def __exit__(self, *exc: object) -> None:
        self.api.close()
        self.server.should_exit = True
        self.thread.join(10)
        self.services.db.dispose()

    def post(self, path: str, **body: Any) -> dict[str, Any]:
        r = self.api.post(path, json=body)
        assert r.status_code == 201, r.text
        return dict(r.json())

    def care_flow(self, mrn: str, definition: str = "pre-op-intake") -> dict[str, Any]:
        patient = self.api.post(
            "/v1/patients",
            json={
                "family_name": "Peeters",
                "given_name": "Lotte",
                "birth_date": "1980-05-04",
                "identifiers": [{"system": DEMO_HOSPITAL_PATIENT_ID, "value": mrn}],
            },
        ).json()
        return self.post(
            "/v1/care-flows",
            patient_id=patient["id"],
            definition_id=definition,
            baseline=BASELINES.get(definition, {}),
        )

    def open_session(self, browser: Any, mrn: str, definition: str, locale: str = "en-GB") -> tuple[str, Any]:
        """(care flow id, a phone showing a fresh session of it) for a new patient."""
        flow = self.care_flow(mrn, definition)
        page = phone(browser, locale)
        page.goto(self.post("/v1/hosted-pages-sessions", care_flow_id=flow["id"])["url"])
        return flow["id"], page

    def answers(self, care_flow_id: str, activity_id: str) -> dict[str, Any] | None:
        """What the server recorded for one activity of a care flow (None while it is open)."""
        acts = self.api.get(f"/v1/care-flows/{care_flow_id}/activities").json()["items"]
        found = next(a for a in acts if a["activity_id"] == activity_id)
        return found["answers"] if found["status"] == "done" else None


@contextmanager
def live_server(tmp: Path) -> Iterator[LiveServer]:
    with LiveServer(tmp) as server:
        yield server


@contextmanager
def customer_site() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _CustomerSite)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's headless Chromium; skips only when none is installed and none was configured."""
    sync_api = pytest.importorskip("playwright.sync_api")
    executable = os.environ.get("CAREAPP_CHROMIUM", "/usr/bin/chromium")
    with sync_api.sync_playwright() as pw:
        try:
            browser = pw.chromium.launch(executable_path=executable, headless=True, args=["--no-sandbox"])
        except Exception as exc:
            if os.environ.get("CAREAPP_CHROMIUM"):
                raise  # a configured browser that cannot start is a failure, not a skip
            pytest.skip(f"no usable chromium at {executable}: {exc}")
        try:
            yield browser
        finally:
            browser.close()


def phone(browser: Any, locale: str = "en-GB") -> Any:
    """A page on a phone-sized screen without JavaScript, as the patient pages are built for."""
    return browser.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale=locale,
        java_script_enabled=False,
    ).new_page()
