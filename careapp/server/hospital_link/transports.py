"""Sending one result message: ORU^R01 over MLLP (optionally TLS), or a FHIR transaction by POST.

Each send returns an Answer and never raises. An acknowledgement is read against the message's
MSH-10: a stale one (a peer that answers a resent message twice) is skipped, not taken for this
message's answer. AA delivers; AE/AR fail with the hospital's reason; anything else (refused,
silent, cut mid-frame, garbage) is retried later with the same bytes. A FHIR POST has a total
deadline (``careapp.server.delivery.deadline``): a server that drips its answer a byte at a time
holds the hospital's messages for one deadline, not for as long as it likes.
"""

from __future__ import annotations

import json
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from careapp.integrations.errors import (
    HospitalError,
    HospitalRejected,
    HospitalUnreachable,
    MalformedReply,
    UnknownPatient,
)
from careapp.integrations.hl7.ack import check_ack
from careapp.integrations.hl7.codec import codec_for
from careapp.integrations.hl7.message import ParseError, parse_bytes
from careapp.integrations.hl7.mllp import MllpConnection
from careapp.server.delivery import deadline

_OUTCOME_BYTES = 65536  # of an error answer's body, for its OperationOutcome; the rest is not read
# A reply for an earlier message is skipped this many times before the exchange counts as failed.
_STALE_REPLIES = 5


@dataclass(frozen=True)
class Answer:
    delivered: bool
    final: bool  # a refusal: do not retry
    code: str | None = None  # MSA-1 or the HTTP status
    error: str | None = None  # the hospital's reason, or what went wrong on the way


class TlsMllpConnection(MllpConnection):
    """MLLP over TLS: the same framing inside a TLS session (the hospital's certificate checked)."""

    def __init__(self, host: str, port: int, timeout: float, context: ssl.SSLContext) -> None:
        super().__init__(host, port, timeout)
        self._context = context

    def _connect(self) -> socket.socket:
        if self._sock is None:
            plain = super()._connect()
            try:
                self._sock = self._context.wrap_socket(plain, server_hostname=self.host)
            except ssl.SSLCertVerificationError as exc:
                plain.close()
                self._sock = None
                reason = (exc.verify_message or "not trusted").rstrip(".")
                raise HospitalUnreachable(
                    self.endpoint,
                    f"its TLS certificate was refused ({reason}); "
                    "give the connection the hospital's CA as mllp_tls_ca",
                ) from None
            except ssl.SSLError as exc:
                plain.close()
                self._sock = None
                raise HospitalUnreachable(
                    self.endpoint, f"TLS failed ({exc.reason or type(exc).__name__})"
                ) from None
            except OSError:
                plain.close()
                self._sock = None
                raise
        return self._sock


def trusting(ca_pem: str | None) -> ssl.SSLContext:
    """A client context that trusts CA_PEM's certificates, or the system's when there are none;
    ValueError names what is wrong with CA_PEM."""
    if not ca_pem:
        return ssl.create_default_context()
    try:
        return ssl.create_default_context(cadata=ca_pem)
    except (ssl.SSLError, ValueError):
        raise ValueError("mllp_tls_ca holds no certificate the TLS library can read") from None


def hl7_payload(text: str, charset: str) -> bytes:
    """A character the hospital's MSH-18 set cannot carry travels as "?" (HL7 has no escape for
    it in an 8-bit set); the connection's charset should be UNICODE UTF-8 wherever it can be."""
    return text.encode(codec_for(charset), errors="replace")


def send_hl7(link: MllpConnection, control_id: str, text: str, charset: str) -> Answer:
    """Send one message and read its answer."""
    try:
        link.send(hl7_payload(text, charset))
    except (HospitalError, ssl.SSLError, OSError) as exc:
        link.close()
        return Answer(False, False, None, str(exc)[:300])
    return hl7_answer(link, control_id)


def hl7_answer(link: MllpConnection, control_id: str) -> Answer:
    """Read the answer to the message CONTROL_ID, the oldest one sent on LINK not answered yet."""
    try:
        raw = link.receive()
        for _ in range(_STALE_REPLIES):
            try:
                reply = parse_bytes(raw)
            except ParseError as exc:
                link.close()
                return Answer(False, False, None, f"the hospital's answer is not HL7: {exc}")
            msa = reply.first("MSA")
            if msa is None or msa.field(2) == control_id:
                break
            raw = link.read_next()  # an answer to an earlier message (sent twice): not ours
        check_ack(reply, control_id, "result")
    except HospitalRejected as exc:
        return Answer(False, True, exc.code, exc.reason or "no reason given")
    except UnknownPatient:
        return Answer(False, True, "AE", "the hospital does not know this patient")
    except MalformedReply as exc:
        link.close()
        return Answer(False, False, None, exc.detail)
    except (HospitalError, ssl.SSLError, OSError) as exc:
        link.close()
        return Answer(False, False, None, str(exc)[:300])
    return Answer(True, True, "AA")


def send_fhir(
    client: httpx.Client,
    url: str,
    body: str,
    within: float,
    clock: Callable[[], float] = time.monotonic,
) -> Answer:
    """POST one transaction Bundle; the whole attempt (connect, send, answer) ends WITHIN seconds
    by CLOCK. CLIENT must be built over ``deadline.transport()``, which keeps the deadline."""
    headers = {"Content-Type": "application/fhir+json"}
    try:
        with (
            deadline.attempt_deadline(within, clock),
            client.stream("POST", url, content=body.encode(), headers=headers) as response,
        ):
            code = response.status_code
            if 200 <= code < 300:
                return Answer(True, True, str(code))
            head = b""
            for chunk in response.iter_bytes():
                head += chunk
                if len(head) >= _OUTCOME_BYTES:
                    break
    except httpx.TimeoutException:
        return Answer(False, False, None, "the FHIR server did not answer in time")
    except httpx.HTTPError as exc:
        return Answer(False, False, None, f"could not reach the FHIR server ({type(exc).__name__})")
    final = 400 <= code < 500 and code not in (408, 425, 429)
    return Answer(False, final, str(code), _outcome(head) or f"HTTP {code}")


def _outcome(head: bytes) -> str:
    """The first issue of an OperationOutcome, if the server sent one (a body is never kept)."""
    try:
        body = json.loads(head[:_OUTCOME_BYTES])
        issue = body["issue"][0]
        return str(issue.get("diagnostics") or issue.get("details", {}).get("text") or "")[:300]
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return ""
