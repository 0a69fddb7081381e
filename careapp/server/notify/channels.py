"""The deployment's two channels: e-mail over SMTP and SMS through an HTTP gateway.

Settings are plain (host, port, sender, the gateway's URL and body fields); the one secret of a
channel (the SMTP password, the gateway's auth header value) is sealed with the deployment key,
as concealed constants are, and never returned by the API or put in a log. It is set through the
API's body or the CLI's standard input, never a command-line argument (those show in ``ps``).

The SMS body is a set of fields with placeholders, encoded as a form or as JSON, so it fits the
common gateways (see README "Notifications" for Twilio- and MessageBird-shaped examples)::

    {"url": "https://api.example/Messages.json", "auth_header": "Authorization",
     "format": "form", "fields": {"To": "{{to}}", "From": "Ward 3", "Body": "{{text}}"}}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from careapp.prepared import Prepared
from careapp.server.context import Services
from careapp.server.crypto import SealError
from careapp.server.models import NotificationChannelRow

EMAIL, SMS = "email", "sms"
CHANNELS = (EMAIL, SMS)
PLACEHOLDERS = ("{{to}}", "{{text}}", "{{message_id}}")
_SEAL_PURPOSE = "notification-channel:"


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 587
    security: Literal["starttls", "tls", "none"] = "starttls"
    username: str | None = None
    sender: str = "CareApp <no-reply@localhost>"
    # A PEM file of the CAs to trust for the relay's certificate instead of the system's (a
    # hospital's own CA); None trusts the system's. A path on the server, never a secret.
    ca_file: str | None = None
    password: str | None = field(default=None, repr=False)  # opened from the sealed secret

    def public(self) -> dict[str, Any]:
        return {
            "host": self.host,
            "port": self.port,
            "security": self.security,
            "username": self.username,
            "sender": self.sender,
            "ca_file": self.ca_file,
        }


@dataclass(frozen=True)
class SmsGatewaySettings:
    url: str
    method: Literal["POST", "PUT"] = "POST"
    auth_header: str | None = "Authorization"
    format: Literal["json", "form"] = "json"
    fields: tuple[tuple[str, str], ...] = (("to", "{{to}}"), ("text", "{{text}}"))
    auth_value: str | None = field(default=None, repr=False)  # opened from the sealed secret

    def public(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "method": self.method,
            "auth_header": self.auth_header,
            "format": self.format,
            "fields": dict(self.fields),
        }

    def body_fields(self, to: str, text: str, message_id: str) -> dict[str, str]:
        values = {"{{to}}": to, "{{text}}": text, "{{message_id}}": message_id}
        out = {}
        for name, template in self.fields:
            for placeholder, value in values.items():
                template = template.replace(placeholder, value)
            out[name] = template
        return out


ChannelSettings = SmtpSettings | SmsGatewaySettings


def settings_of(channel: str, plain: dict[str, Any], secret: str | None) -> ChannelSettings:
    if channel == EMAIL:
        return SmtpSettings(**plain, password=secret)
    plain = dict(plain)
    plain["fields"] = tuple(plain.get("fields", {}).items())
    return SmsGatewaySettings(**plain, auth_value=secret)


def seal(services: Services, channel: str, secret: str) -> str:
    return services.sealer.seal(secret.encode(), _SEAL_PURPOSE + channel)


def load(services: Services, session: Session, channel: str) -> ChannelSettings | None:
    """CHANNEL's settings with its secret opened, or None when it is not set up or is off.
    Raises SealError when the secret does not open with this deployment's key."""
    row = session.get(NotificationChannelRow, channel)
    if row is None or not row.enabled:
        return None
    secret = None
    if row.sealed_secret:
        secret = services.sealer.open(row.sealed_secret, _SEAL_PURPOSE + channel).decode()
    return settings_of(channel, row.settings, secret)


def enabled(session: Session) -> list[str]:
    """The channels set up and on, read once per transaction (an activity opening reads them)."""
    cached: list[str] | None = session.info.get(_ENABLED_KEY)
    if cached is None:
        # One prepared read on the transaction's driver (no flush, no ORM load per channel: a
        # tenth of a care flow start), then the channel rows this session holds, as they are now.
        on = {channel for (channel,) in _ENABLED_CHANNELS.all(session, {})}
        for row in (*session.identity_map.values(), *session.new):
            if isinstance(row, NotificationChannelRow):
                (on.add if row.enabled else on.discard)(row.channel)
        cached = [c for c in CHANNELS if c in on]
        session.info[_ENABLED_KEY] = cached
    return cached


def forget(session: Session) -> None:
    session.info.pop(_ENABLED_KEY, None)


_ENABLED_KEY = "careapp.notify.channels"
_ENABLED_CHANNELS = Prepared(
    select(NotificationChannelRow.channel).where(NotificationChannelRow.enabled.is_(True))
)
__all__ = ["CHANNELS", "EMAIL", "SMS", "SealError", "SmsGatewaySettings", "SmtpSettings", "load", "seal"]
