"""ORU^R01 over MLLP over TLS to another vendor's engine on loopback, whose self-signed
certificate (made here with ``cryptography``) the connection is told to trust; an engine whose
certificate is not trusted gets nothing, and the delivery says why in one sentence."""

from __future__ import annotations

import socket
import ssl
from datetime import UTC, datetime, timedelta
from ipaddress import ip_address
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from fastapi.testclient import TestClient

from careapp.server.context import Services
from careapp.server.hospital_link.sender import ResultSender
from careapp.server.hospital_link.tests.conftest import (
    EVERY_ANSWER_VALUES,
    connect,
    messages,
    patient,
    start,
    submit,
)
from careapp.server.hospital_link.tests.vendor_engine import VendorEngine

VENDOR = {"hospital_application": "VENDOR-EMR", "hospital_facility": "ST-ELSEWHERE", "mllp_tls": True}


def self_signed(folder: Path, name: str) -> tuple[Path, str]:
    """(PEM file with key and certificate, the certificate alone) for 127.0.0.1."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    certificate = cert.public_bytes(serialization.Encoding.PEM).decode()
    pem = folder / f"{name}.pem"
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    pem.write_bytes(key_pem + certificate.encode())
    return pem, certificate


class TlsVendorEngine(VendorEngine):
    """The vendor's engine behind TLS with PEM's certificate; records each session's protocol."""

    def __init__(self, pem: Path) -> None:
        super().__init__()
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.context.load_cert_chain(pem)
        self.sessions: list[str] = []  # TLS versions of the handshakes that succeeded
        self.refused: list[str] = []  # why handshakes failed (the client refused our certificate)

    def __enter__(self) -> TlsVendorEngine:
        super().__enter__()
        return self

    def _handle(self, conn: socket.socket, number: int) -> None:
        conn.settimeout(5)
        try:
            tls = self.context.wrap_socket(conn, server_side=True)
        except (ssl.SSLError, OSError) as exc:
            self.refused.append(type(exc).__name__)
            conn.close()
            return
        self.sessions.append(str(tls.version()))
        super()._handle(tls, number)


def _result(api: TestClient) -> None:
    submit(api, start(api, patient(api)), EVERY_ANSWER_VALUES)


def test_results_over_tls_to_a_hospital_whose_certificate_is_trusted(
    api: TestClient, link_services: Services, sender: ResultSender, tmp_path: Path
) -> None:
    pem, certificate = self_signed(tmp_path, "vendor-emr")
    with TlsVendorEngine(pem) as engine:
        connection = connect(api, engine.port, **VENDOR, mllp_tls_ca=certificate)
        assert connection["mllp_tls_ca"] == certificate
        _result(api)
        _result(api)
        assert sender.run_once() == 2
    rows = messages(link_services)
    assert [(r.status, r.ack_code) for r in rows] == [("delivered", "AA")] * 2
    assert list(engine.stored) == [r.control_id for r in rows]
    assert engine.sessions in (["TLSv1.3"], ["TLSv1.2"])  # one TLS session for both messages
    payload = engine.stored[rows[0].control_id]
    assert payload.startswith(b"MSH|^~\\&|CAREAPP|CAREAPP|VENDOR-EMR|ST-ELSEWHERE|")


@pytest.mark.parametrize("trusted", ["the system's trust store", "another hospital's certificate"])
def test_an_untrusted_certificate_is_refused_with_one_clear_sentence(
    api: TestClient, link_services: Services, sender: ResultSender, tmp_path: Path, trusted: str
) -> None:
    pem, _certificate = self_signed(tmp_path, "vendor-emr")
    other = self_signed(tmp_path, "elsewhere")[1] if trusted.startswith("another") else None
    with TlsVendorEngine(pem) as engine:
        port = engine.port
        connect(api, port, **VENDOR, mllp_tls_ca=other)
        _result(api)
        assert sender.run_once() == 1
    (row,) = messages(link_services)
    assert (row.status, row.attempts, row.ack_code) == ("pending", 1, None)  # retried once fixed
    assert row.last_error == (
        f"Cannot reach the hospital at 127.0.0.1:{port}: its TLS certificate was refused "
        "(self-signed certificate); give the connection the hospital's CA as mllp_tls_ca."
    )
    assert engine.stored == {} and engine.sessions == [] and len(engine.refused) == 1


def test_trusted_certificates_that_cannot_be_read_are_said_on_the_delivery(
    api: TestClient, link_services: Services, sender: ResultSender, tmp_path: Path
) -> None:
    pem, _certificate = self_signed(tmp_path, "vendor-emr")
    garbled = "-----BEGIN CERTIFICATE-----\nMIIBnotreally\n-----END CERTIFICATE-----\n"
    with TlsVendorEngine(pem) as engine:
        connect(api, engine.port, **VENDOR, mllp_tls_ca=garbled)
        _result(api)
        assert sender.run_once() == 1
    (row,) = messages(link_services)
    assert (
        row.status == "pending"
        and row.last_error == "mllp_tls_ca holds no certificate the TLS library can read"
    )
    # Not a PEM certificate at all: refused when configured.
    body = {"name": "Other", "patient_id_system": "urn:x", "mllp_host": "h", "mllp_port": 1, **VENDOR}
    refused = api.post(
        "/v1/hospital-connections", json={**body, "hospital_facility": "ELSE", "mllp_tls_ca": "yes"}
    )
    assert refused.status_code == 422
