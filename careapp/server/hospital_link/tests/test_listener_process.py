"""Item 5: the ADT listener is part of careapp-server: a switch and a port, the bind address, and
MLLP over TLS with a certificate file. A real server process, a real TLS client."""

from __future__ import annotations

import datetime as dt
import socket
import ssl
import subprocess
import sys
from ipaddress import ip_address
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID
from careapp.hospital_sim.adt import adt_message
from careapp.hospital_sim.patients import generate
from careapp.server.tests.harness import ServerProcess, cli, free_port, make_api_key


def _certificate(folder: Path) -> Path:
    """A self-signed certificate for 127.0.0.1, key and certificate in one PEM file."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "careapp-server")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ip_address("127.0.0.1"))]), critical=False)
        .sign(key, hashes.SHA256())
    )
    pem = folder / "adt.pem"
    pkcs8 = serialization.PrivateFormat.PKCS8
    key_pem = key.private_bytes(serialization.Encoding.PEM, pkcs8, serialization.NoEncryption())
    pem.write_bytes(key_pem + cert.public_bytes(serialization.Encoding.PEM))
    return pem


def _exchange(sock: socket.socket, text: str) -> str:
    sock.sendall(b"\x0b" + text.encode() + b"\x1c\r")
    reply = b""
    while b"\x1c" not in reply:
        chunk = sock.recv(65536)
        assert chunk, "closed without an answer"
        reply += chunk
    return reply.decode()


def test_the_server_listens_for_adt_over_tls(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'server.sqlite3'}"
    cli("seed-demo", "--db", db_url)
    admin = {"Authorization": f"Bearer {make_api_key(db_url)}"}
    pem = _certificate(tmp_path)
    port = free_port()
    server = ServerProcess(db_url, tmp_path, extra=("--adt-mllp-port", str(port), "--adt-tls-cert", str(pem)))
    with server.running(timeout=120):
        connection = {
            "name": "Demo hospital", "patient_id_system": DEMO_HOSPITAL_PATIENT_ID, "results": "none",
            "hospital_application": "HIS", "hospital_facility": "DEMOHOSP",
        }  # fmt: skip
        made = httpx.post(server.url + "/v1/hospital-connections", json=connection, headers=admin)
        assert made.status_code == 201, made.text
        message = adt_message("A08", generate(1, 1)[0], at=dt.datetime(2031, 3, 4), ctrl="TLS1")
        context = ssl.create_default_context(cafile=str(pem))
        with (
            socket.create_connection(("127.0.0.1", port), timeout=10) as raw,
            context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
        ):
            assert "MSA|AA|TLS1" in _exchange(tls, message)
        # Plain MLLP to the TLS port gets no answer; the listener binds loopback only.
        with socket.create_connection(("127.0.0.1", port), timeout=5) as plain:
            plain.sendall(b"\x0b" + message.encode() + b"\x1c\r")
            try:
                answer = plain.recv(100)
            except ConnectionResetError:
                answer = b""
            assert b"MSA" not in answer
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.2", port), timeout=2).close()
        wanted = {"identifier": f"{DEMO_HOSPITAL_PATIENT_ID}|100001"}
        found = httpx.get(server.url + "/v1/patients", params=wanted, headers=admin).json()
        assert found["total"] == 1
    assert "ADT over MLLP/TLS on 127.0.0.1:" in server.log()


def test_a_certificate_that_is_not_a_file_is_one_clear_line(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "careapp.server", "--db", f"sqlite:///{tmp_path / 's.sqlite3'}",
         "--adt-mllp-port", "0", "--adt-tls-cert", str(tmp_path / "missing.pem")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 2
    missing = str(tmp_path / "missing.pem")
    assert run.stderr.strip().splitlines() == [
        f"careapp-server: error: the ADT listener's TLS certificate {missing!r} is not a file"
    ]
