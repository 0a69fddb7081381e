"""careapp-server as its own process on loopback, with its real SQLite database, for desktop tests.

The desktop packages may not import careapp.server (import-linter), so the server is started
the way the demo launcher starts it: ``python -m careapp.server``. Readiness is polled on its
port, never waited for with a sleep.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveServer:
    workdir: Path
    port: int = field(default_factory=free_port)
    region: str = "eu"
    env: str = "sandbox"
    proc: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def db_path(self) -> Path:
        return self.workdir / "server.sqlite3"

    @property
    def code_file(self) -> Path:
        return self.workdir / "pairing-code"

    def start(self, timeout: float = 60.0) -> LiveServer:
        """Start (or restart) on the same port and database; returns once /v1/health answers."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        log = open(self.workdir / "server.log", "ab")  # noqa: SIM115 - lives with the process
        self.proc = subprocess.Popen(
            [
                sys.executable, "-m", "careapp.server",
                "--db", f"sqlite:///{self.db_path}", "--region", self.region, "--env", self.env,
                "--port", str(self.port), "--seed-demo", "--pairing-code-file", str(self.code_file),
            ],
            stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )  # fmt: skip
        log.close()
        self.starts += 1
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"careapp-server exited:\n{self.log()[-3000:]}")
            try:
                if requests.get(self.url + "/v1/health", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                _wait_for_port(self.port, min(1.0, max(0.0, deadline - time.monotonic())))
        self.kill()
        raise RuntimeError("careapp-server did not come up")

    def pairing_code(self) -> str:
        return self.code_file.read_text(encoding="utf-8").strip()

    def kill(self) -> None:
        """SIGKILL: no clean shutdown, exactly like a crash or a pulled plug."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(30)
        self.proc = None

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None

    def log(self) -> str:
        path = self.workdir / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def api_key(self, role: str = "integrator") -> str:
        """A bearer key for another client (a hospital integration), via the operators' CLI."""
        out = subprocess.run(
            [sys.executable, "-m", "careapp.server", "api-key", "add", "--role", role,
             "--db", f"sqlite:///{self.db_path}", "--region", self.region, "--env", self.env],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        return out.stdout.strip().splitlines()[-1]

    def execute(self, sql: str, *params: object) -> None:
        """Change the server's database behind its back (e.g. prune the change feed)."""
        conn = sqlite3.connect(self.db_path, timeout=30)
        try:
            with conn:
                conn.execute(sql, params)
        finally:
            conn.close()

    def count(self, sql: str, *params: object) -> int:
        """Ask the server's own database (read-only), e.g. how many care flows exist."""
        conn = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=30)
        try:
            return int(conn.execute(sql, params).fetchone()[0])
        finally:
            conn.close()


def _wait_for_port(port: int, timeout: float) -> None:
    """Block until something accepts on PORT (or TIMEOUT passes): readiness, not a fixed sleep."""
    with socket.socket() as s:
        s.settimeout(max(0.05, timeout))
        try:
            s.connect(("127.0.0.1", port))
        except OSError:
            # Refused comes back at once; yield the CPU briefly rather than spin on a 2-core box.
            time.sleep(0.05)
