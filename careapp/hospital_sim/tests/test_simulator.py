"""The stand-in hospital, spoken to over raw sockets and HTTP (not through our own client)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID, DEMO_NATIONAL_NUMBER
from careapp.hospital_sim.patients import generate
from careapp.hospital_sim.server import HospitalSimulator
from careapp.hospital_sim.siu import write_siu_files


@pytest.fixture(scope="module")
def sim():
    with HospitalSimulator(generate(20, seed=1)) as s:
        yield s


def query(
    version: str = "2.5", charset: str = "UNICODE UTF-8", who: str = "100001", ctrl: str = "Q1"
) -> bytes:
    return (
        f"MSH|^~\\&|CAREAPP|WARD|HIS|DEMOHOSP|20240101||QRY^A19^QRY_A19|{ctrl}|P|{version}||||||{charset}\r"
        f"QRD|20240101|R|I|{ctrl}|||1^RD|{who}|DEM\r"
    ).encode()


def exchange(sim: HospitalSimulator, *payloads: bytes) -> list[bytes]:
    replies = []
    with socket.create_connection(sim.mllp_endpoint, timeout=2) as sock:
        for payload in payloads:
            sock.sendall(b"\x0b" + payload + b"\x1c\r")
            data = b""
            while not data.endswith(b"\x1c\r"):
                data += sock.recv(65536)
            assert data.startswith(b"\x0b")
            replies.append(data[1:-2])
    return replies


def test_patients_are_deterministic_by_seed() -> None:
    assert generate(30, seed=5) == generate(30, seed=5)
    assert generate(30, seed=5) != generate(30, seed=6)
    patients = generate(30, seed=5)
    names = " ".join(p.family + p.given for p in patients)
    for needed in ("é", "ß", "Ł", "山田", "O&Brien"):
        assert needed in names
    assert all({"NH", "AN"} <= {i.type_code for i in p.ids} for p in patients)
    assert {"PI", "MR"} <= {p.ids[0].type_code for p in patients}
    assert all(p.visit_numbers for p in patients)


@pytest.mark.parametrize("version", ["2.3", "2.4", "2.5"])
def test_a19_reply_per_version(sim: HospitalSimulator, version: str) -> None:
    [reply] = exchange(sim, query(version=version, ctrl=f"Q{version}"))
    segments = reply.decode().split("\r")
    msh = segments[0].split("|")
    assert msh[8].startswith("ADR^A19") and msh[11] == version
    assert f"MSA|AA|Q{version}" in segments
    assert any(s.startswith("PID|") for s in segments) and any(s.startswith("PV1|") for s in segments)


def test_escapes_and_id_repetitions_on_the_wire(sim: HospitalSimulator) -> None:
    [reply] = exchange(sim, query(who="100005"))
    pid = next(s for s in reply.decode().split("\r") if s.startswith("PID|"))
    assert "O\\T\\Brien" in pid
    assert "100005^^^DEMOHOSP^MR~" in pid and "^NATREG^NH~" in pid and "^DEMOHOSP^AN" in pid


def test_charset_follows_the_query_and_falls_back_to_utf_8(sim: HospitalSimulator) -> None:
    latin, polish = exchange(
        sim, query(charset="8859/1", who="100001", ctrl="A"), query(charset="8859/1", who="100003", ctrl="B")
    )
    assert latin.split(b"\r")[0].endswith(b"|8859/1") and "Dupré".encode("latin-1") in latin
    assert polish.split(b"\r")[0].endswith(b"|UNICODE UTF-8") and "Wałęsa".encode() in polish


def test_unknown_id_gets_a_clear_reply(sim: HospitalSimulator) -> None:
    [reply] = exchange(sim, query(who="nobody"))
    text = reply.decode()
    assert "MSA|AE|Q1|Patient not found" in text and "204^Unknown key identifier" in text and "|NF" in text


def test_unsupported_messages_are_rejected(sim: HospitalSimulator) -> None:
    bad_version, garbage = exchange(sim, query(version="2.9"), b"hello")
    assert b"MSA|AR|Q1|Unsupported HL7 version 2.9" in bad_version
    assert b"MSA|AR||Not an HL7 message" in garbage


def test_pdqm_searchset(sim: HospitalSimulator) -> None:
    r = requests.get(
        f"{sim.pdqm_url}/Patient", params={"identifier": f"{DEMO_HOSPITAL_PATIENT_ID}|100004"}, timeout=5
    )
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/fhir+json")
    bundle = r.json()
    assert (bundle["resourceType"], bundle["type"], bundle["total"]) == ("Bundle", "searchset", 1)
    assert bundle["entry"][0]["resource"]["name"][0]["family"] == "山田"
    national = sim.patients[6].national_number
    many = requests.get(
        f"{sim.pdqm_url}/Patient", params={"identifier": f"{DEMO_NATIONAL_NUMBER}|{national}"}, timeout=5
    )
    assert many.json()["total"] == 2
    none = requests.get(f"{sim.pdqm_url}/Patient", params={"identifier": "x|y"}, timeout=5)
    assert none.json()["total"] == 0
    missing = requests.get(f"{sim.pdqm_url}/Patient", timeout=5)
    assert missing.status_code == 400 and missing.json()["resourceType"] == "OperationOutcome"


def test_siu_writer_renames_complete_files(tmp_path: Path) -> None:
    files = write_siu_files(tmp_path, generate(10, 1), 5)
    files += write_siu_files(tmp_path, generate(10, 1), 4, batch_size=2)
    assert len(files) == 7 and sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in files)
    batch = files[-1].read_bytes().decode()
    assert batch.startswith("FHS|") and batch.count("MSH|") == 2 and "BTS|2" in batch
    single = files[0].read_bytes().decode()
    assert "SIU^S12" in single and "\rSCH|" in single and "\rAIP|" in single


def test_cli_starts_on_free_ports_and_stops_on_sigterm(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "careapp.hospital_sim", "--mllp-port", "0", "--http-port", "0",
         "--patients", "5", "--siu-dir", str(tmp_path), "--siu-count", "3"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        ready = json.loads(proc.stdout.readline())
        assert ready["ready"] and ready["patients"] == 5 and ready["siu_files"] == 3
        host, port = ready["mllp"].rsplit(":", 1)
        with socket.create_connection((host, int(port)), timeout=2):
            pass
        assert requests.get(f"{ready['pdqm']}/metadata", timeout=5).ok
    finally:
        proc.terminate()
        assert proc.wait(10) == 0


def test_cli_rejects_bad_input() -> None:
    from careapp.hospital_sim.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["--patients", "0"])
    assert exc.value.code == 2
