"""Messages sent back to back are stored in one transaction and answered after its commit: a
server killed while it works on them has lost nothing it acknowledged. A real server process,
killed (SIGKILL) mid-stream and started again on the same database; then every message is sent
again, and each counts once."""

from __future__ import annotations

import socket
from datetime import datetime
from pathlib import Path

import httpx
from sqlalchemy import select

from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID
from careapp.hospital_sim.adt import adt_message
from careapp.hospital_sim.patients import generate
from careapp.integrations.hl7.message import parse_bytes
from careapp.server.db import Database
from careapp.server.models import AdtReceiptRow
from careapp.server.tests.harness import ServerProcess, cli, free_port, make_api_key

COUNT = 400


def _answers(sock: socket.socket, wanted: int) -> list[tuple[str, str]]:
    """(MSA-1, MSA-2) of the next WANTED answers on SOCK, fewer if the server goes away."""
    buffer = b""
    answers: list[tuple[str, str]] = []
    while len(answers) < wanted:
        while b"\x1c" not in buffer:
            try:
                chunk = sock.recv(65536)
            except OSError:
                chunk = b""
            if not chunk:
                return answers
            buffer += chunk
        end = buffer.index(b"\x1c")
        msa = parse_bytes(buffer[buffer.index(b"\x0b") + 1 : end]).first("MSA")
        assert msa is not None
        answers.append((msa.field(1), msa.field(2)))
        buffer = buffer[end + 2 :]
    return answers


def _send_all(port: int, texts: list[str], read: int) -> tuple[socket.socket, list[tuple[str, str]]]:
    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    sock.sendall(b"".join(b"\x0b" + t.encode() + b"\x1c\r" for t in texts))
    return sock, _answers(sock, read)


def _receipts(db_url: str) -> list[str]:
    db = Database(db_url)
    try:
        with db.transaction(read_only=True) as s:
            return list(s.scalars(select(AdtReceiptRow.control_id)))
    finally:
        db.dispose()


def test_a_server_killed_mid_stream_has_lost_nothing_it_acknowledged(db_url: str, tmp_path: Path) -> None:
    cli("seed-demo", "--db", db_url)
    admin = {"Authorization": f"Bearer {make_api_key(db_url)}"}
    adt_port = free_port()
    server = ServerProcess(db_url, tmp_path, extra=("--adt-mllp-port", str(adt_port)))
    patients = generate(50, 1)
    texts = [
        adt_message("A08", patients[n % len(patients)], at=datetime(2031, 3, 4, 9, 0), ctrl=f"K{n}")
        for n in range(COUNT)
    ]
    with server.running(timeout=120):
        connection = {
            "name": "Demo hospital", "patient_id_system": DEMO_HOSPITAL_PATIENT_ID, "results": "none",
            "hospital_application": "HIS", "hospital_facility": "DEMOHOSP",
        }  # fmt: skip
        made = httpx.post(server.url + "/v1/hospital-connections", json=connection, headers=admin)
        assert made.status_code == 201, made.text
        sock, answered = _send_all(adt_port, texts, COUNT // 4)
        assert server.proc is not None
        server.proc.kill()  # no shutdown of any kind, while it is still working on the rest
        server.proc.wait(30)
        sock.close()
    acknowledged = {ctrl for code, ctrl in answered if code == "AA"}
    assert acknowledged, "no message was acknowledged before the kill"
    assert acknowledged <= set(_receipts(db_url))
    # Started again on the same database: the hospital sends everything again; each counts once.
    with server.running(timeout=120):
        sock, answered = _send_all(adt_port, texts, COUNT)
        sock.close()
    assert [code for code, _ctrl in answered] == ["AA"] * COUNT
    receipts = _receipts(db_url)
    assert sorted(receipts) == sorted(f"K{n}" for n in range(COUNT))
