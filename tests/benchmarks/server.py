"""Care flow starts per second, one uvicorn worker on SQLite, vs a bare FastAPI endpoint.

Both servers run as subprocesses on free loopback ports and are driven by the same client
(32 threads, keep-alive) for a bounded number of requests, so the ratio is fair on any machine.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from tests.benchmarks import Figure, percentile

CONCURRENCY = 32
REQUESTS = 1500
BARE_APP = textwrap.dedent(
    """
    from fastapi import FastAPI
    app = FastAPI()

    @app.post("/start")
    def start(body: dict) -> dict:
        return {"id": "x", "status": "active", **body}
    """
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"benchmark server exited with {proc.returncode}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.05)
    raise RuntimeError("benchmark server did not start")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def _drive(request: Callable[[httpx.Client, int], httpx.Response], total: int) -> tuple[float, list[float]]:
    """Run TOTAL requests over CONCURRENCY keep-alive clients; return (req/s, latencies in ms)."""
    clients = [httpx.Client(timeout=30) for _ in range(CONCURRENCY)]
    latencies: list[float] = []

    def worker(index: int) -> None:
        client = clients[index]
        for n in range(index, total, CONCURRENCY):
            t0 = time.perf_counter()
            response = request(client, n)
            latencies.append((time.perf_counter() - t0) * 1000)
            if response.status_code >= 300:
                raise RuntimeError(f"benchmark request failed: {response.status_code} {response.text[:200]}")

    started = time.perf_counter()
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        list(pool.map(worker, range(CONCURRENCY)))
    elapsed = time.perf_counter() - started
    for c in clients:
        c.close()
    return total / elapsed, latencies


def _careapp_server(workdir: Path) -> Iterator[tuple[str, str, list[str]]]:
    from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID

    db = f"sqlite:///{workdir / 'bench.sqlite3'}"
    env = {**os.environ}

    def run_cli(*args: str) -> str:
        return subprocess.run(
            [sys.executable, "-m", "careapp.server", "--db", db, *args],
            check=True,
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        ).stdout

    run_cli("seed-demo")
    key = run_cli("api-key", "add", "--role", "integrator").strip().splitlines()[-1]
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "careapp.server", "--db", db, "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(url + "/v1/health", proc)
        headers = {"Authorization": f"Bearer {key}"}
        patient_ids = []
        with httpx.Client(base_url=url, headers=headers, timeout=30) as c:
            for n in range(64):
                body = {
                    "family_name": f"Bench{n}",
                    "identifiers": [{"system": DEMO_HOSPITAL_PATIENT_ID, "value": f"B{n}"}],
                }
                patient_ids.append(c.post("/v1/patients", json=body).json()["id"])
        yield url, key, patient_ids
    finally:
        _stop(proc)


def run() -> Iterator[Figure]:
    with tempfile.TemporaryDirectory(prefix="careapp-bench-server-") as tmp:
        workdir = Path(tmp)
        (workdir / "bare_app.py").write_text(BARE_APP)
        port = _free_port()
        bare = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "bare_app:app", "--port", str(port), "--log-level", "warning"],
            cwd=workdir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait(f"http://127.0.0.1:{port}/docs", bare)
            bare_url = f"http://127.0.0.1:{port}/start"
            _drive(lambda c, n: c.post(bare_url, json={"n": n}), 200)  # warm-up
            bare_rps, bare_lat = _drive(lambda c, n: c.post(bare_url, json={"n": n}), REQUESTS)
        finally:
            _stop(bare)

        for url, key, patients in _careapp_server(workdir):
            headers = {"Authorization": f"Bearer {key}"}

            def start(
                c: httpx.Client,
                n: int,
                url: str = url,
                headers: dict = headers,
                patients: list = patients,  # type: ignore[type-arg]
            ) -> httpx.Response:
                body = {
                    "patient_id": patients[n % len(patients)],
                    "definition_id": "chronic-care-check-in",
                    "baseline": {"dry_weight_kg": 70 + n % 20},
                }
                return c.post(url + "/v1/care-flows", json=body, headers=headers)

            _drive(start, 100)  # warm-up
            rps, lat = _drive(start, REQUESTS)

    ratio = rps / bare_rps if bare_rps else 0.0
    yield Figure(
        figure="server.care_flow_starts_per_second",
        value=round(rps, 1),
        unit="req/s",
        budget="informational: one worker on SQLite, 32 concurrent, vs a bare FastAPI endpoint",
        ok=True,
        baseline=round(bare_rps, 1),
        detail={
            "ratio_to_bare": round(ratio, 3),
            "p50_ms": round(percentile(lat, 50), 1),
            "p95_ms": round(percentile(lat, 95), 1),
            "bare_p95_ms": round(percentile(bare_lat, 95), 1),
            "requests": REQUESTS,
            "concurrency": CONCURRENCY,
        },
    )
