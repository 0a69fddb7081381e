"""The whole stand-in hospital in one object: MLLP listener + PDQm endpoint over one patient set.

Used by the CLI, by tests and benchmarks in-process, and by the desktop demo (as a subprocess).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from careapp.hospital_sim.mllp_server import MllpServer
from careapp.hospital_sim.patients import PatientIndex, SimPatient, generate
from careapp.hospital_sim.pdqm_server import BASE_PATH, PdqmServer
from careapp.hospital_sim.results_inbox import ResultsInbox


@dataclass
class HospitalSimulator:
    patients: list[SimPatient] = field(default_factory=lambda: generate(50, 1))
    host: str = "127.0.0.1"
    mllp_port: int = 0  # 0: any free port (tests); the CLI defaults to 2575
    http_port: int = 0
    results: ResultsInbox = field(default_factory=ResultsInbox)  # ORU^R01 received
    mllp: MllpServer | None = None
    pdqm: PdqmServer | None = None

    def start(self) -> HospitalSimulator:
        index = PatientIndex(self.patients)
        self.mllp = MllpServer(self.host, self.mllp_port, index, self.results)
        try:
            self.pdqm = PdqmServer(self.host, self.http_port, index)
        except OSError:
            self.mllp.server_close()
            raise
        self.mllp.start()
        self.pdqm.start()
        return self

    def stop(self) -> None:
        for server in (self.mllp, self.pdqm):
            if server is not None:
                server.shutdown()
                server.server_close()

    def __enter__(self) -> HospitalSimulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def mllp_endpoint(self) -> tuple[str, int]:
        assert self.mllp is not None, "start() first"
        return self.host, self.mllp.port

    @property
    def pdqm_url(self) -> str:
        assert self.pdqm is not None, "start() first"
        return f"http://{self.host}:{self.pdqm.port}{BASE_PATH}"
