"""Every command README.md and DESIGN §3 document, run as its own process the way an operator or a
ward IT person types it: the installed console scripts (``careapp``, ``careapp-server``,
``careapp-hospital-sim``), real servers on loopback, real files, one profile folder per ward.

The OS keyring is switched off in the children (PYTHON_KEYRING_BACKEND), so the workstation
credential goes to the profile's 0600 file and never into the developer's real keyring.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from careapp.backend.tests.live import free_port

NO_KEYRING = "keyring.backends.fail.Keyring"


def program(name: str) -> list[str]:
    """The console script pip installed beside this interpreter, else its module."""
    script = Path(sys.executable).with_name(name)
    if script.exists():
        return [str(script)]
    module = {"careapp": "careapp", "careapp-server": "careapp.server"}.get(name, "careapp.hospital_sim")
    return [sys.executable, "-m", module]


def env() -> dict[str, str]:
    out = {k: v for k, v in os.environ.items() if k != "CAREAPP_PROFILE"}
    out["PYTHON_KEYRING_BACKEND"] = NO_KEYRING
    return out


def run(name: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    command = [*program(name), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env())


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


@dataclass
class Server:
    """``careapp-server --db … --port …`` in the foreground of its own process."""

    workdir: Path
    environment: str = "sandbox"
    proc: subprocess.Popen[bytes] | None = None

    def __post_init__(self) -> None:
        self.port = free_port()
        self.workdir.mkdir(parents=True, exist_ok=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def db(self) -> str:
        return f"sqlite:///{self.workdir / 'server.sqlite3'}"

    def deployment(self) -> list[str]:
        return ["--region", "eu", "--env", self.environment, "--db", self.db]

    def admin(self, *args: str) -> str:
        """An operator's subcommand against this deployment's database."""
        return ok(run("careapp-server", *args, *self.deployment()))

    def start(self) -> Server:
        log = open(self.workdir / "server.log", "ab")  # noqa: SIM115 - lives with the process
        argv = [*program("careapp-server"), *self.deployment(), "--host", "127.0.0.1",
                "--port", str(self.port), "--seed-demo"]  # fmt: skip
        self.proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=env())
        log.close()
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, (self.workdir / "server.log").read_text()[-3000:]
            try:
                if requests.get(self.url + "/v1/health", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                time.sleep(0.1)  # readiness poll of a process this test started
        raise AssertionError("careapp-server did not come up")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(30)

    def count(self, sql: str) -> int:
        conn = sqlite3.connect(f"file:{self.workdir / 'server.sqlite3'}?mode=ro", uri=True)
        try:
            return int(conn.execute(sql).fetchone()[0])
        finally:
            conn.close()


@pytest.fixture
def hospital(tmp_path: Path) -> Iterator[dict[str, str]]:
    """``careapp-hospital-sim`` on free ports, dropping three SIU^S12 files."""
    argv = [*program("careapp-hospital-sim"), "--mllp-port", "0", "--http-port", "0",
            "--siu-dir", str(tmp_path / "inbox"), "--siu-count", "3", "--patients", "20"]  # fmt: skip
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, env=env())
    try:
        assert proc.stdout is not None
        ready = json.loads(proc.stdout.readline())
        yield ready
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    running = Server(tmp_path / "server").start()
    yield running
    running.stop()


def ward_profile(folder: Path, server: Server, hospital: dict[str, str]) -> Path:
    """A profile folder as an admin leaves it: the backend and hospital set in settings.json."""
    host, port = hospital["mllp"].rsplit(":", 1)
    folder.mkdir(parents=True)
    settings = {
        "backends": [{"url": server.url, "region": "eu", "environment": "sandbox",
                      "label": "EU Sandbox", "allow_test_patients": True}],
        "active_backend": 0,
        "hospital": {"hl7_host": host, "hl7_port": int(port), "pdqm_url": hospital["pdqm"]},
    }  # fmt: skip
    (folder / "settings.json").write_text(json.dumps(settings), encoding="utf-8")
    return folder


def pair(profile: Path, server: Server) -> None:
    """What Settings → Backends → Pair does, with the code from ``careapp-server workstation add``."""
    code = server.admin("workstation", "add", "--name", "Ward 3 desk").strip().splitlines()[-1]
    script = (
        "import sys; from careapp import paths, settings; from careapp.backend import pair_workstation;"
        "paths.use_profile(sys.argv[1]); pair_workstation(settings.load().backend, sys.argv[2])"
    )
    subprocess.run([sys.executable, "-c", script, str(profile), code], check=True, env=env(), timeout=60)


def first_admin(profile: Path) -> None:
    """The first-run window's account, made through the same service the window calls."""
    script = (
        "import sys; from careapp import paths, settings; from careapp.auth.accounts import AccountService;"
        "from careapp.storage.database import open_active_cache; paths.use_profile(sys.argv[1]);"
        "AccountService(open_active_cache(settings.load())).create_first_admin("
        "'anna', 'Anna Peeters', 'correct horse battery 1')"
    )
    subprocess.run([sys.executable, "-c", script, str(profile)], check=True, env=env(), timeout=60)


def settle(folder: Path) -> None:
    """Age the dropped files past the SIU pull's "still being written" guard."""
    for f in folder.iterdir():
        os.utime(f, (time.time() - 30, time.time() - 30))


def test_ward_commands_import_siu_pull_and_sync(tmp_path: Path, server: Server, hospital: dict) -> None:
    profile = ward_profile(tmp_path / "ward-3", server, hospital)
    pair(profile, server)
    first_admin(profile)

    saved = json.loads(ok(run("careapp", "--profile", str(profile), "import", "--id", "100003")))
    assert saved["created"] and saved["source"] == "hl7"
    by_pdqm = run("careapp", "--profile", str(profile), "import", "--id", "100003",
                  "--source", "pdqm", "--pdqm", hospital["pdqm"])  # fmt: skip
    assert json.loads(ok(by_pdqm))["created"] is False
    visit = run("careapp", "--profile", str(profile), "import", "--id", "V02000050", "--visit",
                "--hl7", hospital["mllp"])  # fmt: skip
    assert {"system", "value"} <= json.loads(ok(visit))["patient"]["identifiers"][0].keys()
    unknown = run("careapp", "--profile", str(profile), "import", "--id", "999999")
    assert unknown.returncode == 2 and unknown.stderr.count("\n") == 1

    inbox = Path(hospital["siu_dir"])
    settle(inbox)
    pulled = run("careapp", "--profile", str(profile), "siu-pull", "--dir", str(inbox),
                 "--hl7", hospital["mllp"])  # fmt: skip
    assert json.loads(ok(pulled))["processed"] == 3

    # Without --user only changes that name their author go (the admin's provisioning).
    alone = json.loads(ok(run("careapp", "--profile", str(profile), "sync")))
    assert alone["failed"] is False and "--user" in alone["error"]
    assert server.count("SELECT count(*) FROM users WHERE username = 'anna'") == 1

    summary = json.loads(ok(run("careapp", "--profile", str(profile), "sync", "--user", "Anna")))
    assert summary["failed"] is False and summary["error"] is None
    assert summary["status"]["queued"] == 0 and summary["pushed"] >= 2
    assert server.count("SELECT count(*) FROM patients") >= 2  # 100003 and the SIU patients

    nobody = run("careapp", "--profile", str(profile), "sync", "--user", "bert")
    assert nobody.returncode == 2 and nobody.stderr.count("\n") == 1 and "bert" in nobody.stderr


def test_sync_says_in_one_line_when_the_backend_is_down(
    tmp_path: Path, server: Server, hospital: dict
) -> None:
    profile = ward_profile(tmp_path / "ward-3", server, hospital)
    pair(profile, server)
    first_admin(profile)
    server.stop()
    down = run("careapp", "--profile", str(profile), "sync", "--user", "anna")
    assert down.returncode == 2 and down.stderr.count("\n") == 1
    assert "Sync failed" in down.stderr and "stay queued" in down.stderr


def test_sync_on_a_fresh_machine_runs_the_local_demo(tmp_path: Path) -> None:
    """README: with nothing configured the desktop uses the local demo; so does ``careapp sync``."""
    profile = tmp_path / "fresh"
    summary = json.loads(ok(run("careapp", "--profile", str(profile), "sync", timeout=180)))
    assert summary["failed"] is False and summary["status"]["paired"] is True
    assert (profile / "demo" / "server.log").exists()


def test_unpaired_sync_is_one_clear_line(tmp_path: Path, server: Server, hospital: dict) -> None:
    profile = ward_profile(tmp_path / "ward-3", server, hospital)
    result = run("careapp", "--profile", str(profile), "sync")
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "not paired" in result.stderr


def test_server_operator_commands(tmp_path: Path) -> None:
    """api-key add, workstation add, flows export | import | publish | list, promote."""
    sandbox = Server(tmp_path / "sandbox").start()
    production = Server(tmp_path / "production", environment="production").start()
    try:
        keys = {}
        for name, deployment in (("from", sandbox), ("to", production)):
            key = deployment.admin("api-key", "add", "--role", "admin").strip().splitlines()[-1]
            keys[name] = tmp_path / f"{name}.key"
            keys[name].write_text(key + "\n", encoding="utf-8")
            keys[name].chmod(0o600)
        code = sandbox.admin("workstation", "add", "--name", "Ward 3 desk").strip().splitlines()[-1]
        assert len(code) >= 8

        listed = sandbox.admin("flows", "list")
        definition_id = listed.splitlines()[0].split("\t")[0]
        exported = tmp_path / "flow.json"
        sandbox.admin("flows", "export", definition_id, "-o", str(exported))
        document = json.loads(exported.read_text(encoding="utf-8"))
        document["id"] = "ward-3-copy"
        exported.write_text(json.dumps(document), encoding="utf-8")
        assert "created ward-3-copy" in sandbox.admin("flows", "import", str(exported))
        assert "published ward-3-copy v1" in sandbox.admin("flows", "publish", "ward-3-copy")
        assert "ward-3-copy\tv1" in sandbox.admin("flows", "list")

        promoted = run("careapp-server", "promote", "--from", sandbox.url, "--to", production.url,
                       "--care-flow", "ward-3-copy", "--from-key-file", str(keys["from"]),
                       "--to-key-file", str(keys["to"]))  # fmt: skip
        assert json.loads(ok(promoted))
        assert "ward-3-copy\tunpublished" in production.admin("flows", "list")
    finally:
        sandbox.stop()
        production.stop()


def test_every_program_prints_help_and_refuses_bad_input_in_one_line() -> None:
    for name, bad in (("careapp", ["sync", "--user"]), ("careapp-server", ["--region", "mars"]),
                      ("careapp-hospital-sim", ["--mllp-port", "-1"])):  # fmt: skip
        assert "usage" in ok(run(name, "--help")).lower()
        refused = run(name, *bad)
        assert refused.returncode != 0 and refused.stderr.strip()
