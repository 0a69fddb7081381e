"""No real patients in Sandbox: every hospital import path refuses unless an admin allowed it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from careapp import paths
from careapp import settings as store
from careapp.cli import main
from careapp.hospital_sim.patients import generate
from careapp.hospital_sim.server import HospitalSimulator
from careapp.integrations import service
from careapp.settings import BackendProfile, HospitalEndpoints, Settings

REFUSAL = "No real patients in EU Sandbox"


@pytest.fixture(scope="module")
def simulator():
    with HospitalSimulator(generate(5, seed=11)) as sim:
        yield sim


def sandbox(allow: bool, hospital: HospitalEndpoints | None = None) -> Settings:
    profile = BackendProfile("https://eu-sandbox.example.org", "eu", "sandbox", "EU Sandbox", allow)
    hospital = hospital or HospitalEndpoints()
    return Settings(backends=(BackendProfile(), profile), active_backend=1, hospital=hospital)


def use(settings: Settings, profile: Path) -> None:
    paths.use_profile(profile)
    store.save(settings)


@pytest.mark.parametrize(
    "backend",
    [BackendProfile(), BackendProfile("https://eu.example.org", "eu", "production", "EU Production")],
    ids=["demo", "production"],
)
def test_demo_and_production_take_hospital_patients(backend: BackendProfile) -> None:
    service.import_allowed(Settings(backends=(backend,)))


def test_sandbox_refuses_until_allowed() -> None:
    with pytest.raises(service.ImportRefused, match=REFUSAL) as info:
        service.hospital_config(sandbox(False))  # what the import and SIU dialogs start from
    assert "\n" not in str(info.value) and "admin" in str(info.value)
    assert service.hospital_config(sandbox(True)).hl7_port == 2575


@pytest.mark.parametrize(
    "argv",
    [["import", "--id", "100001"], ["import", "--id", "100001", "--hl7", "127.0.0.1:9"], ["siu-pull"],
     ["siu-pull", "--dir", "/nowhere"]],
)  # fmt: skip
def test_cli_refuses_in_sandbox_with_one_line(tmp_path: Path, capsys, argv: list[str]) -> None:
    use(sandbox(False), tmp_path / "p")
    assert main(["--profile", str(tmp_path / "p"), *argv]) != 0
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and REFUSAL in err
    assert not list((tmp_path / "p").glob("caches/*.sqlite3"))  # nothing opened, nothing written


def test_cli_imports_into_sandbox_once_allowed(simulator: HospitalSimulator, tmp_path: Path, capsys) -> None:
    host, port = simulator.mllp_endpoint
    use(sandbox(True, HospitalEndpoints(hl7_host=host, hl7_port=port)), tmp_path / "p")
    known = simulator.patients[0]
    assert main(["--profile", str(tmp_path / "p"), "import", "--id", known.patient_id]) == 0
    assert json.loads(capsys.readouterr().out)["created"] is True
    assert [f.name.startswith("eu-sandbox-") for f in (tmp_path / "p" / "caches").glob("*.sqlite3")] == [True]
