"""Hospital import budgets (DESIGN §6).

- A19 import over MLLP from the simulator on loopback, query → saved patient, p50 ≤ 20 ms;
  baseline: a bare TCP round-trip on loopback in the same run.
- 10,000 SIU^S12 files → patients and queued enrollments: ≤ 20 s and ≤ 300 MB peak RSS,
  measured in a child process so that its peak RSS is the pull's alone.

The simulator runs as its own process (as in the desktop demo), so it does not share our GIL.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.benchmarks import Figure, percentile

IMPORTS = 200
SIU_FILES = 10_000
SIU_PATIENTS = 3_000
CARE_FLOWS = {"CARDIO-FU": "def-cardio", "ORTHO-KNEE": "def-knee", "DIAB-ED": "def-diabetes",
              "GEN-CONSULT": "def-general"}  # fmt: skip


@contextmanager
def simulator(patients: int) -> Iterator[tuple[str, int]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "careapp.hospital_sim", "--mllp-port", "0", "--http-port", "0",
         "--patients", str(patients)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        ready = json.loads(proc.stdout.readline())
        host, port = ready["mllp"].rsplit(":", 1)
        yield host, int(port)
    finally:
        proc.terminate()
        proc.wait(10)


def tcp_round_trip_p50(samples: int = 200) -> float:
    """Baseline: one small request/reply over a fresh loopback TCP connection."""
    server = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                data = conn.recv(1024)
                conn.sendall(data)

    threading.Thread(target=serve, daemon=True).start()
    port = server.getsockname()[1]
    times = []
    for _ in range(samples):
        start = time.perf_counter()
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall(b"x" * 200)
            sock.recv(1024)
        times.append((time.perf_counter() - start) * 1000)
    server.close()
    return percentile(times, 50)


def a19_import() -> Figure:
    from careapp.integrations.config import HospitalConfig
    from careapp.integrations.lookup import look_up
    from careapp.integrations.service import save_imported_patient
    from careapp.storage.database import open_cache

    baseline = tcp_round_trip_p50()
    folder = Path(tempfile.mkdtemp(prefix="careapp-bench-a19-"))
    db = open_cache(folder / "cache.sqlite3")
    times: list[float] = []
    with simulator(IMPORTS) as (host, port):
        config = HospitalConfig(hl7_host=host, hl7_port=port)
        for n in range(IMPORTS):
            start = time.perf_counter()
            [record] = look_up(config, f"{100001 + n}")
            save_imported_patient(db, record.patient, record.attending, actor="bench", source="hl7")
            times.append((time.perf_counter() - start) * 1000)
    db.close()
    p50 = percentile(times, 50)
    return Figure(
        figure="hospital.a19_import_p50", value=round(p50, 2), unit="ms", budget="<= 20 ms",
        ok=p50 <= 20, baseline=round(baseline, 3),
        detail={"samples": IMPORTS, "p95_ms": round(percentile(times, 95), 2)},
    )  # fmt: skip


def siu_pull() -> Figure:
    from careapp.hospital_sim.patients import generate
    from careapp.hospital_sim.siu import write_siu_files

    folder = Path(tempfile.mkdtemp(prefix="careapp-bench-siu-"))
    inbox = folder / "inbox"
    write_siu_files(inbox, generate(SIU_PATIENTS, 1), SIU_FILES, seed=1)
    with simulator(SIU_PATIENTS) as (host, port):
        out = subprocess.run(
            [sys.executable, "-m", "tests.benchmarks.hospital", "--siu-worker", str(inbox),
             str(folder / "cache.sqlite3"), f"{host}:{port}"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
    result = json.loads(out.stdout.strip().splitlines()[-1])
    seconds, rss_mb = result["seconds"], result["peak_rss_mb"]
    ok = seconds <= 20 and rss_mb <= 300 and result["processed"] == SIU_FILES
    return Figure(
        figure="hospital.siu_10k_files", value=round(seconds, 2), unit="s",
        budget="<= 20 s and <= 300 MB", ok=ok,
        detail={"peak_rss_mb": round(rss_mb, 1), **{k: result[k] for k in (
            "processed", "failed", "patients_created", "patients_updated", "care_flows_queued",
            "hospital_queries", "storage_seconds")}},
    )  # fmt: skip


def _own_peak_rss_kb() -> int:
    """This process's own peak RSS. Not getrusage's ru_maxrss: on Linux that keeps the peak of
    the process image before exec, so a worker forked from a big benchmark run inherits it."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _siu_worker(inbox: str, cache_path: str, endpoint: str) -> None:
    from careapp.integrations.config import HospitalConfig
    from careapp.integrations.siu_pull import pull_siu
    from careapp.storage.appointments import AppointmentRepository
    from careapp.storage.database import open_cache

    db = open_cache(Path(cache_path))
    host, port = endpoint.rsplit(":", 1)
    config = HospitalConfig(hl7_host=host, hl7_port=int(port), siu_care_flow_map=CARE_FLOWS)
    repo = AppointmentRepository(db)
    storage_seconds = 0.0

    class TimedBatch:  # the repository's batch, timed: how much of the pass is the cache's write
        def __init__(self, batch):  # type: ignore[no-untyped-def]
            self._batch = batch

        def seen(self, message_key: str) -> bool:  # the duplicate check, asked before the hospital
            return bool(self._batch.seen(message_key))

        def apply_appointment(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            nonlocal storage_seconds
            t = time.perf_counter()
            try:
                return self._batch.apply_appointment(*args, **kwargs)
            finally:
                storage_seconds += time.perf_counter() - t

    class TimedSink:
        @contextmanager
        def batch(self):  # type: ignore[no-untyped-def]
            nonlocal storage_seconds
            with repo.batch() as batch:
                yield TimedBatch(batch)
                t = time.perf_counter()  # the commit (one fsync) happens as the block exits
            storage_seconds += time.perf_counter() - t

    start = time.perf_counter()
    summary = pull_siu(Path(inbox), config, TimedSink(), actor="bench", min_age=0)
    seconds = time.perf_counter() - start
    db.close()
    peak_kb = _own_peak_rss_kb()
    print(json.dumps({"seconds": seconds, "storage_seconds": round(storage_seconds, 2),
                      "peak_rss_mb": peak_kb / 1024, **summary.as_json()}))  # fmt: skip


def run() -> Iterator[Figure]:
    yield a19_import()
    yield siu_pull()


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--siu-worker":
        _siu_worker(*sys.argv[2:5])
    else:
        os.environ.setdefault("CAREAPP_PROFILE", tempfile.mkdtemp(prefix="careapp-bench-"))
        for figure in run():
            print(json.dumps(figure.as_json()), flush=True)
