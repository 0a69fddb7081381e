"""PDQm against FHIR servers shaped like other vendors' (tests/fhir_peer.py), not our simulator."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID as PID
from careapp.domain.identifiers import DEMO_HOSPITAL_VISIT_NUMBER as VN
from careapp.integrations.config import HospitalConfig
from careapp.integrations.errors import WrongPatient
from careapp.integrations.lookup import IdKind, look_up
from careapp.integrations.tests.fhir_peer import FhirPeer, fhir_patient

OTHER = fhir_patient("p2", "Janssens", (PID, "100778"), (VN, "V778"))
WANTED = fhir_patient("p1", "Peeters", (PID, "100777"), (VN, "V777"))


def config(peer: FhirPeer, **changes: object) -> HospitalConfig:
    return HospitalConfig(pdqm_url=peer.url, timeout_seconds=2.0, attempts=1, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(("value", "kind"), [("100777", IdKind.PATIENT_ID), ("V777", IdKind.VISIT_NUMBER)])
def test_a_server_that_ignores_the_identifier_search_is_refused(value: str, kind: IdKind) -> None:
    with FhirPeer([OTHER], honours_identifier=False) as peer, pytest.raises(WrongPatient) as err:
        look_up(config(peer), value, kind=kind, source="pdqm")
    assert "does not carry the searched id" in str(err.value) and "\n" not in str(err.value)


def test_the_searched_identifier_is_the_one_kept() -> None:
    # The Patient lists an older hospital id first; the one searched for is the one saved.
    both = fhir_patient("p1", "Peeters", (PID, "OLD-1"), (PID, "100777"), (VN, "V1"), (VN, "V777"))
    with FhirPeer([both]) as peer:
        [record] = look_up(config(peer), "V777", kind=IdKind.VISIT_NUMBER, source="pdqm")
    assert record.patient.identifier(VN) == "V777"


def test_the_cli_saves_nothing_for_a_wrong_patient(tmp_path: Path) -> None:
    profile = tmp_path / "ward"

    def careapp(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "careapp", "--profile", str(profile), *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=60)

    with FhirPeer([OTHER, WANTED], honours_identifier=False) as lenient:
        refused = careapp("import", "--id", "100777", "--pdqm", lenient.url)
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr.count("\n") == 1 and "does not carry the searched id" in refused.stderr
    with FhirPeer([OTHER, WANTED]) as honest:
        saved = careapp("import", "--id", "V777", "--visit", "--pdqm", honest.url)
    assert saved.returncode == 0, saved.stderr
    patient = json.loads(saved.stdout)
    assert patient["created"] is True  # the refused import left no patient behind
    assert {"system": PID, "value": "100777"} in patient["patient"]["identifiers"]
    assert {"system": VN, "value": "V777"} in patient["patient"]["identifiers"]
