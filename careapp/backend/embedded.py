"""The embedded local demo: careapp-server (seeded) and careapp-hospital-sim on loopback.

With no backend configured the desktop starts both as separate processes, pairs with the server
and points the hospital import at the simulator, so a newcomer can import, enroll and scan at
once. Their working files (database, key, logs) live in the profile's demo folder and survive a
restart; the processes stop with the app. Nothing here touches the GUI: call it off that thread.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from careapp import demo_hospital
from careapp.backend.client import NO_RETRY, BackendClient
from careapp.backend.credentials import CredentialStore
from careapp.backend.errors import BackendError, Unauthorized
from careapp.backend.workstation import pair_workstation, stored_credential
from careapp.settings import BackendProfile, HospitalEndpoints

log = logging.getLogger(__name__)

DEMO_PATIENTS = 200
DEMO_SIU_FILES = 12
START_TIMEOUT = 60.0  # a cold start imports FastAPI and migrates the demo database


class DemoStartFailed(Exception):
    """One line saying which part of the demo did not start, and where its log is."""


@dataclass
class EmbeddedDemo:
    backend_url: str
    hospital: HospitalEndpoints  # the demo hospital's endpoints, published for headless commands
    folder: Path
    credential_in_file: bool
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list, repr=False)
    published: bool = False  # whether headless commands were told where its hospital listens

    def stop(self) -> None:
        if self.published:
            demo_hospital.withdraw(self.folder)
        for proc in self.processes:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.processes:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def start_embedded_demo(
    folder: Path,
    profile: BackendProfile,
    siu_dir: Path,
    *,
    store: CredentialStore | None = None,
    publish_hospital: bool = False,
) -> EmbeddedDemo:
    """Start the demo hospital and backend, pair this workstation if needed, and return their
    addresses. Raises DemoStartFailed (both processes stopped) when either cannot start.

    ``publish_hospital``: write the hospital's ports where ``careapp import`` and ``siu-pull``
    find them until ``stop`` (the app's demo; not a headless pass's own short-lived one)."""
    folder.mkdir(parents=True, exist_ok=True)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        hospital = _start_hospital(folder, siu_dir, processes)
        url = _start_server(folder, profile, processes, hospital["mllp"])
        in_file = _ensure_paired(folder, profile, url, store)
    except BaseException:
        EmbeddedDemo("", HospitalEndpoints(), folder, False, processes).stop()
        raise
    endpoints = demo_hospital.demo_endpoints(hospital["mllp"], hospital["pdqm"], siu_dir)
    if publish_hospital:
        demo_hospital.publish(folder, endpoints)
    return EmbeddedDemo(url, endpoints, folder, in_file, processes, published=publish_hospital)


def program(module: str, frozen_name: str) -> list[str]:
    """How to start one of CareApp's programs: ``python -m MODULE``, or in an installed bundle
    (PyInstaller; sys.frozen) the program FROZEN_NAME beside this one."""
    if getattr(sys, "frozen", False):
        return [str(Path(sys.executable).with_name(frozen_name))]
    return [sys.executable, "-m", module]


def _start_hospital(folder: Path, siu_dir: Path, processes: list[subprocess.Popen[bytes]]) -> dict[str, str]:
    # SIU files are dropped only on the first start: later pulls must not find the same day again.
    first_start = not (folder / "hospital.started").exists()
    # Results the backend sends the hospital land as files in demo/hospital-results/.
    argv = [*program("careapp.hospital_sim", "careapp-hospital-sim"), "--mllp-port", "0", "--http-port", "0",
            "--patients", str(DEMO_PATIENTS), "--oru-dir", str(folder / "hospital-results")]  # fmt: skip
    if first_start:
        argv += ["--siu-dir", str(siu_dir), "--siu-count", str(DEMO_SIU_FILES)]
    log_path = folder / "hospital.log"
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=log_path.open("ab"))
    processes.append(proc)
    assert proc.stdout is not None
    line = proc.stdout.readline()  # the simulator prints one JSON line once it listens
    try:
        ready = json.loads(line)
    except ValueError:
        ready = {}
    if not isinstance(ready, dict) or not {"mllp", "pdqm"} <= ready.keys():
        raise DemoStartFailed(f"The demo hospital did not start; see {log_path}.")
    (folder / "hospital.started").touch()
    return ready


def _start_server(
    folder: Path, profile: BackendProfile, processes: list[subprocess.Popen[bytes]], hospital_mllp: str
) -> str:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    pairing_file = folder / "pairing.txt"
    pairing_file.unlink(missing_ok=True)
    database = f"sqlite:///{folder / 'server.sqlite3'}"
    argv = [*program("careapp.server", "careapp-server"), "serve", "--db", database,
            "--region", profile.region, "--env", profile.environment, "--host", "127.0.0.1",
            "--port", str(port), "--seed-demo", "--pairing-code-file", str(pairing_file),
            "--public-url", url,
            # Patients' e-mails land as files in demo/mail/ (README); at any hour, so a demo at
            # night shows them too.
            "--demo-mail-dir", str(folder / "mail"), "--quiet-hours", "00:00-00:00",
            # The whole hospital loop: results to the stand-in hospital, its ADT feed to us (the
            # listener's port is in server.log, for careapp-hospital-sim adt … --to).
            "--demo-hospital", hospital_mllp, "--adt-mllp-port", str(_free_port())]  # fmt: skip
    log_path = folder / "server.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(argv, stdout=log_path.open("ab"), stderr=subprocess.STDOUT, env=env)
    processes.append(proc)
    deadline = time.monotonic() + START_TIMEOUT
    with BackendClient(url, timeout=(0.5, 2.0), retry=NO_RETRY) as client:
        while True:
            if proc.poll() is not None:
                raise DemoStartFailed(f"The demo backend stopped while starting; see {log_path}.")
            try:
                client.health()
                return url
            except BackendError:
                if time.monotonic() > deadline:
                    message = f"The demo backend did not answer in time; see {log_path}."
                    raise DemoStartFailed(message) from None
                time.sleep(0.1)  # readiness poll of a process we just started


def _ensure_paired(folder: Path, profile: BackendProfile, url: str, store: CredentialStore | None) -> bool:
    """Pair with the demo backend unless the stored credential still works there."""
    stored = stored_credential(profile, store)
    if stored is not None:
        try:
            with BackendClient(url, stored.secret) as client:
                client.care_flow_definitions()
            return stored.in_file
        except Unauthorized:  # the demo database was reset: pair again
            log.info("Demo backend no longer knows this workstation; pairing again")
    code = (folder / "pairing.txt").read_text(encoding="utf-8").strip()
    _pairing, stored = pair_workstation(profile, code, base_url=url, name=socket.gethostname(), store=store)
    return stored.in_file


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
