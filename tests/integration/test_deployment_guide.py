"""docs/DEPLOYMENT.md, run as written: its shell blocks in order against a fresh PostgreSQL
database, with the guide's paths, database and port swapped for the test's own. The server block
runs in the background (several workers) while the health check and the backup blocks run."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from careapp.backend.tests.live import free_port
from careapp.server.tests.conftest import PG_URL, _drop_pg_database, _fresh_pg_database

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "DEPLOYMENT.md"
GUIDE_DB = "postgresql+psycopg2://careapp:change-me@db.internal:5432/careapp"
GUIDE_LIBPQ = "postgresql://careapp:change-me@db.internal:5432/careapp"

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not PG_URL, reason="set CAREAPP_TEST_PG_URL to run the guide against PostgreSQL"),
    pytest.mark.skipif(
        not all(shutil.which(tool) for tool in ("openssl", "curl", "pg_dump", "pg_restore", "bash")),
        reason="the guide's commands need openssl, curl, pg_dump and pg_restore",
    ),
]


def shell_blocks(markdown: str) -> list[str]:
    return [block.strip() for block in re.findall(r"^```sh\n(.*?)^```", markdown, flags=re.S | re.M)]


def _env() -> dict[str, str]:
    """The test's environment, with this interpreter's scripts first and no key of its own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAREAPP_SERVER_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def _bash(script: str, env: dict[str, str], cwd: Path) -> str:
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"{script}\n{done.stderr[-3000:]}"
    return done.stdout


def test_the_deployment_guide_runs_as_written(tmp_path: Path) -> None:
    db = _fresh_pg_database()
    port = free_port()
    libpq = db.replace("postgresql+psycopg2://", "postgresql://", 1)
    swaps = {
        GUIDE_DB: db,
        GUIDE_LIBPQ: libpq,
        "/etc/careapp": str(tmp_path / "etc"),
        "/var/backups/careapp": str(tmp_path / "backups"),
        "8750": str(port),
        "--workers 4": "--workers 2",  # two suffice to show several; the machine is shared
    }
    blocks = shell_blocks(GUIDE.read_text(encoding="utf-8"))
    assert len(blocks) == 4 and blocks[1].startswith("careapp-server") and "--workers" in blocks[1]
    setup, serve, health, backup = blocks
    for guide, ours in swaps.items():
        setup, serve, health, backup = (b.replace(guide, ours) for b in (setup, serve, health, backup))
    env = _env()
    server: subprocess.Popen[str] | None = None
    try:
        printed = _bash(setup, env, tmp_path)
        api_key = printed.strip().splitlines()[-1]
        key_file = tmp_path / "etc" / "secret.key"
        assert key_file.stat().st_mode & 0o077 == 0 and len(key_file.read_text().strip()) == 44
        # The server block, with the setup's exported database (the guide runs them in one shell).
        server = subprocess.Popen(
            ["bash", "-c", f"export CAREAPP_SERVER_DB='{db}'; exec {serve}"],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        deadline = time.monotonic() + 180
        while True:  # waiting for the workers to be ready, not for time to pass
            done = subprocess.run(["bash", "-c", health], env=env, capture_output=True, text=True, timeout=30)
            if done.returncode == 0:
                break
            assert server.poll() is None, "careapp-server exited"
            assert time.monotonic() < deadline, "careapp-server did not answer"
            time.sleep(0.5)
        served = json.loads(done.stdout)
        assert (served["region"], served["environment"]) == ("eu", "production")
        definitions = subprocess.run(
            ["curl", "--fail", "--silent", "-H", f"Authorization: Bearer {api_key}",
             f"http://127.0.0.1:{port}/v1/care-flow-definitions"],
            capture_output=True, text=True, timeout=30,
        )  # fmt: skip
        assert definitions.returncode == 0, "the API key the guide printed does not work"
        _bash(backup, env, tmp_path)
        contents = (tmp_path / "backups" / "careapp.contents").read_text()
        assert "TABLE public care_flows" in contents or " care_flows " in contents
    finally:
        output = ""
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                output, _ = server.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                output, _ = server.communicate()
        _drop_pg_database(db)
    assert len(re.findall(r"Started server process", output)) == 2, output[-3000:]
