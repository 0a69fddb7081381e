from __future__ import annotations

from collections.abc import Iterator

import pytest

from careapp.hospital_sim.patients import generate
from careapp.hospital_sim.server import HospitalSimulator
from careapp.integrations.config import HospitalConfig


@pytest.fixture(autouse=True)
def no_kept_connections() -> Iterator[None]:
    """Each test starts and ends with no idle A19 connection kept: its peers are its own."""
    from careapp.integrations.lookup import KEPT_MLLP

    KEPT_MLLP.close()
    yield
    KEPT_MLLP.close()


@pytest.fixture(scope="session")
def simulator() -> Iterator[HospitalSimulator]:
    with HospitalSimulator(generate(40, seed=7)) as sim:
        yield sim


@pytest.fixture
def sim_config(simulator: HospitalSimulator) -> HospitalConfig:
    host, port = simulator.mllp_endpoint
    return HospitalConfig(hl7_host=host, hl7_port=port, pdqm_url=simulator.pdqm_url, timeout_seconds=2.0)


@pytest.fixture
def cache(tmp_path):
    from careapp.storage.database import open_cache

    db = open_cache(tmp_path / "cache.sqlite3")
    yield db
    db.close()
