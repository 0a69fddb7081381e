"""Peers of other vendors on loopback: an SMTP server (aiosmtpd) and an HTTP SMS gateway.

The SMTP server is aiosmtpd's own, as mail relays speak it; the gateway answers the way hosted
SMS APIs do (201 with a JSON id; 4xx for a bad request, 5xx or silence when it is unwell) and
records what it was sent, scripted per request.
"""

from __future__ import annotations

import email
import email.parser
import email.policy
import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from careapp.server.tests.harness import free_port


@dataclass
class Mailbox:
    """What the SMTP server accepted, kept as the bytes it received (as a relay queues them) and
    parsed with the standard email package when a test reads ``messages``. Parsing at DATA would
    put the email package's MIME parser (some 4 ms for a multipart mail) on the sender's critical
    path, in the sender's own process: no relay does that work before its 250."""

    raw: list[bytes] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)
    # Reply to the Nth DATA (0-based) with this instead of 250, or hold it while the event is unset.
    refuse: dict[int, str] = field(default_factory=dict)
    hold: threading.Event | None = None
    holding: threading.Event = field(default_factory=threading.Event)
    _parsed: list[EmailMessage] = field(default_factory=list)
    _count: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        with self._lock:
            n, self._count = self._count, self._count + 1
        if n in self.refuse:
            return self.refuse[n]
        if self.hold is not None and not self.hold.is_set():
            self.holding.set()
            while not self.hold.is_set():  # the sender waits at DATA (blocks this peer's loop)
                time.sleep(0.01)
        raw = envelope.original_content or envelope.content
        assert isinstance(raw, bytes)
        with self._lock:
            self.raw.append(raw)
            self.recipients.append(list(envelope.rcpt_tos))
        return "250 OK queued"

    @property
    def messages(self) -> list[EmailMessage]:
        with self._lock:
            raw = list(self.raw)
            for data in raw[len(self._parsed) :]:
                parsed = email.message_from_bytes(data, policy=email.policy.default)
                assert isinstance(parsed, EmailMessage)
                self._parsed.append(parsed)
            return self._parsed[: len(raw)]

    def message_ids(self, since: int = 0) -> Counter[str]:
        """How often each Message-ID arrived (of the mails from the SINCE-th on): headers only."""
        with self._lock:
            raw = self.raw[since:]
        parser = email.parser.BytesHeaderParser(policy=email.policy.default)
        return Counter(str(parser.parsebytes(data)["Message-ID"]) for data in raw)

    def wait_for(self, count: int, timeout: float = 20.0) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with self._lock:
                if len(self.raw) >= count:
                    return True
            time.sleep(0.02)
        return False


@dataclass(frozen=True)
class Relay:
    """The handler aiosmtpd is given for a MAILBOX: aiosmtpd inspects its handler's members on
    every connection, which would evaluate (parse) ``Mailbox.messages``."""

    mailbox: Mailbox

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        return await self.mailbox.handle_DATA(server, session, envelope)


class SmtpPeer:
    def __init__(self) -> None:
        self.mailbox = Mailbox()
        self.port = free_port()
        self.controller = Controller(Relay(self.mailbox), hostname="127.0.0.1", port=self.port)

    def start(self) -> SmtpPeer:
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.mailbox.hold is not None:
            self.mailbox.hold.set()
        self.controller.stop()


@dataclass
class GatewayRequest:
    method: str
    path: str
    headers: dict[str, str]
    fields: dict[str, str]


Script = Callable[[int, GatewayRequest], tuple[int, float]]  # → (status, seconds to hang first)


@dataclass
class SmsGateway:
    """A loopback SMS API. SCRIPT decides, per request number, the answer and how long to hang."""

    script: Script = lambda n, req: (201, 0.0)
    received: list[GatewayRequest] = field(default_factory=list)
    accepted: list[GatewayRequest] = field(default_factory=list)
    port: int = field(default_factory=free_port)
    _server: ThreadingHTTPServer | None = None
    _release: threading.Event = field(default_factory=threading.Event)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1/messages"

    def start(self) -> SmsGateway:
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                raw = self.rfile.read(int(self.headers.get("content-length") or 0)).decode()
                kind = self.headers.get("content-type", "")
                fields = json.loads(raw) if "json" in kind else dict(parse_qsl(raw))
                req = GatewayRequest(
                    self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, fields
                )
                n = len(gateway.received)
                gateway.received.append(req)
                status, hang = gateway.script(n, req)
                if hang:
                    gateway._release.wait(hang)
                body = json.dumps({"id": f"SM{n}", "status": "queued"} if status < 300 else {"error": "no"})
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body.encode())
                except OSError:
                    return  # the sender gave up waiting
                if status < 300:
                    gateway.accepted.append(req)

            do_POST = do_PUT = _handle

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
