"""E-mail over TLS to a real aiosmtpd: STARTTLS (the relay refuses mail before it) and implicit TLS,
with a certificate from a CA made here that the channel trusts through its ``ca_file``; a relay
whose certificate the channel does not trust gets no mail, and the message waits to be retried
with one clear error (the operator fixes the trust; the patient's message is not lost) that,
like the log, names no address."""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from fastapi.testclient import TestClient

from careapp.server.context import Services
from careapp.server.notify.dispatcher import NotificationDispatcher
from careapp.server.notify.tests.conftest import definition, drain, enroll, log_of, publish
from careapp.server.notify.tests.peers import Mailbox, Relay
from careapp.server.tests.harness import free_port
from careapp.server.webhooks.tests.conftest import FakeClock

UNTRUSTED = "the SMTP server's TLS certificate is not trusted"


@dataclass(frozen=True)
class Pki:
    ca_file: Path  # what the channel trusts
    other_ca_file: Path  # a CA that did not sign the relay's certificate
    server: ssl.SSLContext  # the relay's side


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _ca(common: str) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common))
        .issuer_name(_name(common))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_CA_USAGE, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


_CA_USAGE = x509.KeyUsage(
    digital_signature=True,
    content_commitment=False,
    key_encipherment=False,
    data_encipherment=False,
    key_agreement=False,
    key_cert_sign=True,
    crl_sign=True,
    encipher_only=False,
    decipher_only=False,
)


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    folder = tmp_path_factory.mktemp("pki")
    ca_key, ca = _ca("CareApp test hospital CA")
    _other_key, other = _ca("Some other CA")
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("relay.zh.test"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([x509.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    (folder / "ca.pem").write_bytes(_pem(ca))
    (folder / "other-ca.pem").write_bytes(_pem(other))
    (folder / "relay.pem").write_bytes(_pem(cert))
    (folder / "relay.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(folder / "relay.pem", folder / "relay.key")
    return Pki(folder / "ca.pem", folder / "other-ca.pem", server)


@dataclass
class TlsRelay:
    mailbox: Mailbox
    port: int
    security: str


@pytest.fixture(params=["starttls", "tls"])
def relay(request: pytest.FixtureRequest, pki: Pki) -> Iterator[TlsRelay]:
    mailbox, port = Mailbox(), free_port()
    if request.param == "starttls":  # plain first; MAIL before STARTTLS is refused (530)
        controller = Controller(
            Relay(mailbox), hostname="127.0.0.1", port=port, tls_context=pki.server, require_starttls=True
        )
    else:  # TLS from the first byte (port 465 style)
        controller = Controller(Relay(mailbox), hostname="127.0.0.1", port=port, ssl_context=pki.server)
    controller.start()
    yield TlsRelay(mailbox, port, request.param)
    controller.stop()


def _set_up(api: TestClient, relay: TlsRelay, ca_file: Path | None) -> None:
    settings = {
        "host": "127.0.0.1",
        "port": relay.port,
        "security": relay.security,
        "sender": "Ward 3 <ward3@zh.example>",
        "ca_file": str(ca_file) if ca_file else None,
    }
    r = api.put("/v1/notification-channels/email", json={"settings": settings})
    assert r.status_code == 200, r.text
    assert r.json()["settings"]["ca_file"] == settings["ca_file"]


def test_mail_goes_over_tls_to_a_relay_whose_ca_the_channel_trusts(
    api: TestClient,
    services: Services,
    relay: TlsRelay,
    pki: Pki,
    dispatcher: NotificationDispatcher,
    clock: FakeClock,
) -> None:
    _set_up(api, relay, pki.ca_file)
    publish(api, definition())
    flow = enroll(api, "TLS-1", email="tls@example.org")
    assert drain(dispatcher, clock) == 1
    [mail] = relay.mailbox.messages
    assert relay.mailbox.recipients == [["tls@example.org"]]
    [logged] = log_of(api, flow["id"])
    assert (logged["status"], logged["message_id"]) == ("delivered", mail["Message-ID"])


@pytest.mark.parametrize("trust", ["system CAs", "another CA"])
def test_a_relay_certificate_the_channel_does_not_trust_gets_nothing_and_the_mail_waits(
    api: TestClient,
    services: Services,
    relay: TlsRelay,
    pki: Pki,
    dispatcher: NotificationDispatcher,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
    trust: str,
) -> None:
    _set_up(api, relay, None if trust == "system CAs" else pki.other_ca_file)
    publish(api, definition())
    flows = [enroll(api, f"TLS-{n}", email=f"untrusted{n}@example.org") for n in range(3)]
    caplog.set_level(logging.DEBUG, logger="careapp")
    assert dispatcher.run_once() == 3  # one attempt each, over the one connection that failed
    assert relay.mailbox.messages == []
    for flow in flows:
        [logged] = log_of(api, flow["id"])
        assert (logged["status"], logged["attempts"], logged["last_error"]) == ("pending", 1, UNTRUSTED)
        assert logged["last_status_code"] is None and logged["next_attempt_at"] is not None
    ours = "\n".join(  # the relay's own log (aiosmtpd's) is not ours
        f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records if r.name.startswith("careapp")
    )
    assert ours.count(UNTRUSTED) == 3 and "Traceback" not in ours
    assert "untrusted" not in ours.replace(UNTRUSTED, "") and "@example.org" not in ours
