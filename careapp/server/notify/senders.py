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
from dataclasses import replace
from datetime import timedelta
from email.utils import parseaddr

import httpx

from careapp import __version__
from careapp.server.delivery import deadline, http
from careapp.server.delivery.dispatcher import Attempt
from careapp.server.notify.channels import SmsGatewaySettings, SmtpSettings

SMTP_TIMEOUT = 10.0  # per socket operation (smtplib has no total deadline)
GATEWAY_TIMEOUT = httpx.Timeout(10.0, connect=5.0)


class SmtpSender:
    """Keeps one SMTP connection per sender thread and settings, reused across messages (a new
    connection per mail would cost a TCP and TLS handshake and EHLO each)."""

    def __init__(self, timeout: float = SMTP_TIMEOUT) -> None:
        self.timeout = timeout
        self._local = threading.local()
        self._all: list[smtplib.SMTP] = []
        self._lock = threading.Lock()

    def _connection(self, settings: SmtpSettings) -> smtplib.SMTP:
        held: tuple[SmtpSettings, smtplib.SMTP] | None = getattr(self._local, "held", None)
        if held is not None and held[0] == settings:
            return held[1]
        self._drop()
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if settings.security == "tls":
            smtp = smtplib.SMTP_SSL(settings.host, settings.port, timeout=self.timeout, context=context)
        else:
            smtp = smtplib.SMTP(settings.host, settings.port, timeout=self.timeout)
            if settings.security == "starttls":
                smtp.starttls(context=context)
        if settings.username:
            smtp.login(settings.username, settings.password or "")
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

    def send(self, settings: SmtpSettings, to: str, message: bytes) -> Attempt:
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
                kind = "timed out" if isinstance(exc, TimeoutError) else f"SMTP error ({type(exc).__name__})"
                return Attempt(None, kind)
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
