"""Sending one message: over SMTP, or to the SMS gateway. Each returns an Attempt and never raises.

Permanent refusals end the delivery at once: a 5xx SMTP reply (RFC 5321 §4.2.1) and a 4xx gateway
answer other than 408/429 (the request itself is wrong; sending it again cannot help). Anything
else (4xx SMTP, 5xx or no answer from the gateway, a dead connection) is tried again later.
Errors name their kind and code only: SMTP replies and gateway bodies quote addresses.
"""

from __future__ import annotations

import json
import smtplib
import ssl
import threading
import time
from dataclasses import replace
from datetime import timedelta
from email.utils import parseaddr
from typing import Any

import httpx

from careapp import __version__
from careapp.server.delivery import deadline, http
from careapp.server.delivery.dispatcher import Attempt
from careapp.server.notify.channels import SmsGatewaySettings, SmtpSettings

SMTP_TIMEOUT = 10.0  # per socket operation, within the attempt's deadline
GATEWAY_TIMEOUT = httpx.Timeout(10.0, connect=5.0)


class _BoundedSMTP(smtplib.SMTP):
    """smtplib's timeout is per socket operation; this one also keeps every operation of an
    attempt (connect, EHLO, STARTTLS, login, MAIL, RCPT, DATA) within the attempt's deadline,
    so a relay that drips its replies holds a sender for one deadline at most."""

    def __init__(self, deadline: float, *args: Any, **kw: Any) -> None:
        self.deadline: float | None = deadline  # time.monotonic() by which the attempt ends
        super().__init__(*args, **kw)  # with a host: connects (and says hello), within it

    def _tighten(self) -> None:
        if self.deadline is None:
            return
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the attempt's deadline passed")
        self.timeout = min(SMTP_TIMEOUT, left)
        if self.sock is not None:
            self.sock.settimeout(self.timeout)

    def connect(
        self, host: str = "localhost", port: int = 0, source_address: Any = None
    ) -> tuple[int, bytes]:
        self._tighten()
        return super().connect(host, port, source_address)

    def send(self, s: Any) -> None:
        self._tighten()
        super().send(s)

    def getreply(self) -> tuple[int, bytes]:
        self._tighten()
        return super().getreply()


class _BoundedSMTPS(_BoundedSMTP, smtplib.SMTP_SSL):
    """Implicit TLS (port 465), with the same deadline."""


def tls_context(settings: SmtpSettings) -> ssl.SSLContext:
    """Verifies the relay's certificate and host name against the system's CAs, or against
    SETTINGS.ca_file only when the channel names one (a hospital's own CA). Raises OSError when
    that file cannot be read."""
    if settings.ca_file:
        return ssl.create_default_context(cafile=settings.ca_file)
    return ssl.create_default_context()


def _connection_error(exc: BaseException) -> str:
    """The kind of a failure to reach the relay, in words: never its text (which may quote names)."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return "the SMTP server's TLS certificate is not trusted"
    if isinstance(exc, ssl.SSLError):
        return "TLS with the SMTP server failed"
    if isinstance(exc, TimeoutError):
        return "timed out"
    return f"SMTP error ({type(exc).__name__})"


class SmtpSender:
    """Keeps one SMTP connection per sender thread and settings, reused across messages (a new
    connection per mail would cost a TCP and TLS handshake and EHLO each). A batch of messages
    is sent by one thread, so over one connection; a connection the relay dropped is opened
    again once per message."""

    def __init__(self, attempt_deadline: timedelta = timedelta(seconds=30)) -> None:
        self.attempt_seconds = attempt_deadline.total_seconds()
        self._local = threading.local()
        self._all: list[smtplib.SMTP] = []
        self._lock = threading.Lock()
        self._contexts: dict[SmtpSettings, ssl.SSLContext] = {}

    def _context(self, settings: SmtpSettings) -> ssl.SSLContext:
        with self._lock:  # loading the CAs costs milliseconds: once per settings
            context = self._contexts.get(settings)
            if context is None:
                context = self._contexts[settings] = tls_context(settings)
            return context

    def _connection(self, settings: SmtpSettings) -> _BoundedSMTP:
        held: tuple[SmtpSettings, _BoundedSMTP] | None = getattr(self._local, "held", None)
        if held is not None and held[0] == settings:
            return held[1]
        self._drop()
        smtp: _BoundedSMTP
        deadline, host, port = self._local.deadline, settings.host, settings.port
        if settings.security == "tls":
            smtp = _BoundedSMTPS(deadline, host, port, timeout=SMTP_TIMEOUT, context=self._context(settings))
        else:
            smtp = _BoundedSMTP(deadline, host, port, timeout=SMTP_TIMEOUT)
        try:
            if settings.security == "starttls":
                smtp.starttls(context=self._context(settings))
            if settings.username:
                smtp.login(settings.username, settings.password or "")
        except BaseException:
            smtp.close()
            raise
        self._local.held = (settings, smtp)
        with self._lock:
            self._all.append(smtp)
        return smtp

    def _drop(self) -> None:
        held = getattr(self._local, "held", None)
        self._local.held = None
        if held is not None:
            _quietly_close(held[1])
            with self._lock:
                if held[1] in self._all:
                    self._all.remove(held[1])

    def _start_attempt(self) -> None:
        if getattr(self._local, "connected_for_next", False):
            self._local.connected_for_next = False  # connect() began this attempt: one deadline
            return
        self._local.deadline = time.monotonic() + self.attempt_seconds
        held = getattr(self._local, "held", None)
        if held is not None:
            held[1].deadline = self._local.deadline

    def connect(self, settings: SmtpSettings) -> Attempt | None:
        """Reach the relay (or keep the connection held) as the start of the next message's
        attempt, within its deadline: None, or the failed attempt that every message still to go
        over this connection would make (unreachable, TLS, login refused)."""
        self._local.connected_for_next = False
        self._start_attempt()
        try:
            self._connection(settings)
        except smtplib.SMTPResponseException as exc:
            code = exc.smtp_code
            # A refused login will be refused again for every message: for good, like a 5xx.
            return Attempt(code, f"SMTP reply {code}", permanent=500 <= code < 600)
        except Exception as exc:  # OSError, SMTPException, a CA file that is no PEM: all retried
            return Attempt(None, _connection_error(exc))
        self._local.connected_for_next = True  # the next send is the same attempt
        return None

    def send(self, settings: SmtpSettings, to: str, message: bytes) -> Attempt:
        self._start_attempt()
        for fresh in (False, True):  # a kept connection the server closed meanwhile: once more
            try:
                smtp = self._connection(settings)
                # smtplib resets the SMTP transaction itself after a refusal: reuse is safe.
                refused = smtp.sendmail(_envelope_sender(settings.sender), [to], message)
                if refused:  # sendmail raises when every recipient is refused; one only here
                    code = next(iter(refused.values()))[0]
                    return Attempt(code, f"recipient refused ({code})", permanent=code >= 500)
                return Attempt(250)
            except smtplib.SMTPServerDisconnected:
                self._drop()
                if fresh:
                    return Attempt(None, "the SMTP server closed the connection")
            except smtplib.SMTPResponseException as exc:
                code = exc.smtp_code
                if code in (421,) or isinstance(exc, smtplib.SMTPAuthenticationError):
                    self._drop()
                return Attempt(code, f"SMTP reply {code}", permanent=500 <= code < 600)
            except smtplib.SMTPRecipientsRefused as exc:
                code = next(iter(exc.recipients.values()))[0]
                return Attempt(code, f"recipient refused ({code})", permanent=500 <= code < 600)
            except (OSError, smtplib.SMTPException) as exc:
                self._drop()
                return Attempt(None, _connection_error(exc))
        return Attempt(None, "the SMTP server closed the connection")

    def close(self) -> None:
        with self._lock:
            held, self._all = self._all, []
        for smtp in held:
            _quietly_close(smtp)


def _envelope_sender(sender: str) -> str:
    return parseaddr(sender)[1] or sender


def _quietly_close(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()


class GatewaySender:
    """POSTs (or PUTs) one SMS to the gateway, with the message id as Idempotency-Key so a gateway
    that supports it sends a retried request once."""

    def __init__(self, attempt_deadline: timedelta, client: httpx.Client | None = None) -> None:
        self.attempt_deadline = attempt_deadline
        self._own = client is None
        self.client = client or httpx.Client(
            transport=deadline.transport(),
            timeout=GATEWAY_TIMEOUT,
            follow_redirects=False,
            headers={"user-agent": f"CareApp-Notifications/{__version__}"},
        )

    def send(self, settings: SmsGatewaySettings, to: str, text: str, message_id: str) -> Attempt:
        fields = settings.body_fields(to, text, message_id)
        headers = {"Idempotency-Key": message_id}
        if settings.auth_header and settings.auth_value:
            headers[settings.auth_header] = settings.auth_value
        if settings.format == "json":
            content = json.dumps(fields).encode()
            headers["Content-Type"] = "application/json"
        else:
            content = str(httpx.QueryParams(fields)).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        sent = http.attempt(
            self.client,
            settings.method,
            settings.url,
            content=content,
            headers=headers,
            within=self.attempt_deadline,
        )
        code = sent.status_code
        if sent.succeeded or code is None:
            return sent
        # A 4xx but 408/429 says the request itself is wrong: sending it again cannot help.
        return replace(sent, permanent=400 <= code < 500 and code not in (408, 429))

    def close(self) -> None:
        if self._own:
            self.client.close()
