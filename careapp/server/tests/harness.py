"""Run careapp-server for tests: real processes on loopback, or the ASGI app over a real DB file."""

from __future__ import annotations

import contextlib
import io
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from careapp.server.app import build_services
from careapp.server.cli import main as cli_main
from careapp.server.delivery.dispatcher import PENDING
from careapp.server.schema import prepare


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cli(*argv: str) -> str:
    """Run the CLI in-process; return its stdout (raises if it fails)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli_main(list(argv))
    if code != 0:
        raise RuntimeError(f"careapp-server {' '.join(argv)} failed: {err.getvalue()}")
    return out.getvalue()


def seeded_services(config: Any, clock: Any = None) -> Any:
    """A backend's services on CONFIG's database, migrated and seeded with the demo (identifier
    systems, demo care flows), on CLOCK if given: what most in-process tests start from."""
    services = build_services(config, clock=clock)
    prepare(services.db, services.config, services.clock)
    cli("seed-demo", "--db", config.db_url)
    return services


def make_api_key(db_url: str, role: str = "admin", region: str = "eu", env: str = "sandbox") -> str:
    return (
        cli("api-key", "add", "--role", role, "--db", db_url, "--region", region, "--env", env)
        .strip()
        .splitlines()[-1]
    )


@dataclass
class ServerProcess:
    """careapp-server started as its own process, as the desktop and operators start it."""

    db_url: str
    workdir: Path
    region: str = "eu"
    env: str = "sandbox"
    extra: tuple[str, ...] = ()
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # Generous: a loaded CI machine can take tens of seconds to import the server, and a start
    # that never comes is still reported (with the server's log).
    def start(self, timeout: float = 90.0) -> ServerProcess:
        log = open(self.workdir / f"server-{self.port}.log", "ab")  # noqa: SIM115 - lives with the process
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "careapp.server",
                "--db",
                self.db_url,
                "--region",
                self.region,
                "--env",
                self.env,
                "--port",
                str(self.port),
                *self.extra,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {(self.workdir / f'server-{self.port}.log').read_text()}")
            try:
                if httpx.get(self.url + "/v1/health", timeout=1.0).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.05)
        self.stop()
        log_tail = (self.workdir / f"server-{self.port}.log").read_text(errors="replace")[-2000:]
        raise RuntimeError(f"server did not come up in {timeout:g} s: {log_tail}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None

    def log(self) -> str:
        return (self.workdir / f"server-{self.port}.log").read_text(errors="replace")

    @contextlib.contextmanager
    def running(self, timeout: float = 90.0) -> Iterator[ServerProcess]:
        self.start(timeout)
        try:
            yield self
        finally:
            self.stop()


def drain_outbox(dispatcher: Any, clock: Any, rounds: int = 100) -> int:
    """Run an outbox dispatcher (careapp.server.delivery) until nothing is pending, moving the
    injected CLOCK to each next attempt; how many attempts were made."""
    row = dispatcher.row
    attempts = 0
    for _ in range(rounds):
        done = dispatcher.run_once()
        attempts += done
        if done:
            continue
        with dispatcher.services.db.transaction(read_only=True) as s:
            due = s.scalar(select(func.min(row.next_attempt_at)).where(row.status == PENDING))
        if due is None:
            return attempts
        clock.set(max(due, clock.now()))
    raise AssertionError("deliveries still pending after many rounds")
