"""The deployment's configuration: one region, one environment, one database."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from careapp.domain.forms import PATIENT_LANGUAGES  # the patient pages' languages
from careapp.domain.notifications import QuietHours

REGIONS = ("eu", "uk", "us")
ENVIRONMENTS = ("sandbox", "production")
DEFAULT_DB = "sqlite:///careapp-server.sqlite3"

# Passed to uvicorn workers through the environment: they are separate processes.
ENV_REGION = "CAREAPP_SERVER_REGION"
ENV_ENVIRONMENT = "CAREAPP_SERVER_ENV"
ENV_DB = "CAREAPP_SERVER_DB"
ENV_SECRET_FILE = "CAREAPP_SERVER_SECRET_FILE"
ENV_SECRET_KEY = "CAREAPP_SERVER_SECRET_KEY"
# The wall clock care flow times are read on ("09:00, 14 days after discharge"): an IANA name.
ENV_TIME_ZONE = "CAREAPP_SERVER_TIME_ZONE"
ENV_PATIENT_LANGUAGE = "CAREAPP_SERVER_PATIENT_LANGUAGE"
DEFAULT_TIME_ZONES = {"eu": "Europe/Brussels", "uk": "Europe/London", "us": "America/New_York"}
ENV_PUBLIC_URL = "CAREAPP_SERVER_PUBLIC_URL"  # the base of every hosted pages link
# Hosted pages signing keys: new tokens use VERSION; versions OLDEST..VERSION still verify.
ENV_HOSTED_KEY_VERSION = "CAREAPP_SERVER_HOSTED_KEY_VERSION"
ENV_HOSTED_KEY_OLDEST = "CAREAPP_SERVER_HOSTED_KEY_OLDEST"
# No automatic e-mail or SMS to patients in this wall-clock window (the deployment's time zone).
ENV_QUIET_HOURS = "CAREAPP_SERVER_QUIET_HOURS"
# The ADT listener (MLLP, optionally over TLS): off unless a port is given.
ENV_ADT_PORT = "CAREAPP_SERVER_ADT_MLLP_PORT"
ENV_ADT_HOST = "CAREAPP_SERVER_ADT_MLLP_HOST"
ENV_ADT_TLS_CERT = "CAREAPP_SERVER_ADT_TLS_CERT"
ENV_ADT_TLS_KEY = "CAREAPP_SERVER_ADT_TLS_KEY"
# Which roles of acting users may stop a care flow ("clinician,admin" or "admin").
ENV_STOP_ROLES = "CAREAPP_SERVER_STOP_ROLES"
USER_ROLES = ("clinician", "admin")


class ConfigError(ValueError):
    """A configuration that cannot run; the message is one line for the operator."""


@dataclass(frozen=True)
class ServerConfig:
    region: str = "eu"
    environment: str = "sandbox"
    db_url: str = DEFAULT_DB
    # Where the data-encryption key lives (concealed constants, stored idempotent responses).
    secret_file: str | None = None
    public_url: str = "http://127.0.0.1:8750"
    # The change feed keeps this much history; older cursors get 410 Gone.
    change_retention: timedelta = field(default=timedelta(days=30))
    # An Idempotency-Key whose request never finished may be reused after this long.
    idempotency_lease: timedelta = field(default=timedelta(minutes=2))
    idempotency_retention: timedelta = field(default=timedelta(days=7))
    pairing_code_ttl: timedelta = field(default=timedelta(hours=24))
    hosted_key_version: int = 1
    hosted_key_oldest: int = 1
    time_zone: str = ""  # "" means the region's default (DEFAULT_TIME_ZONES)
    quiet_hours: str = "21:00-08:00"
    adt_mllp_port: int | None = None  # None: no ADT listener
    adt_mllp_host: str = "127.0.0.1"  # where it binds: loopback unless told otherwise
    adt_tls_cert: str | None = None  # a PEM file: MLLP over TLS
    adt_tls_key: str | None = None  # the key, when not in the certificate file
    # The patient pages' language when neither the patient's record nor the browser names one.
    patient_language: str = "en"
    # Acting users of these roles may stop a care flow (API keys always may).
    stop_roles: tuple[str, ...] = USER_ROLES

    def __post_init__(self) -> None:
        if self.region not in REGIONS:
            raise ConfigError(f"region must be one of {', '.join(REGIONS)}, got {self.region!r}")
        if self.environment not in ENVIRONMENTS:
            raise ConfigError(
                f"environment must be one of {', '.join(ENVIRONMENTS)}, got {self.environment!r}"
            )
        if self.adt_mllp_port is not None and not 0 <= self.adt_mllp_port < 65536:
            raise ConfigError(f"the ADT listener's port must be 0-65535, got {self.adt_mllp_port}")
        if self.adt_tls_cert is not None and not os.path.isfile(self.adt_tls_cert):
            raise ConfigError(f"the ADT listener's TLS certificate {self.adt_tls_cert!r} is not a file")
        if self.patient_language not in PATIENT_LANGUAGES:
            known = ", ".join(PATIENT_LANGUAGES)
            raise ConfigError(f"patient language must be one of {known}, got {self.patient_language!r}")
        if not self.time_zone:
            object.__setattr__(self, "time_zone", DEFAULT_TIME_ZONES[self.region])
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(
                f"time zone must be an IANA name such as Europe/Brussels, got {self.time_zone!r}"
            ) from None
        try:
            QuietHours.parse(self.quiet_hours)
        except ValueError as exc:
            raise ConfigError(str(exc)) from None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def deployment(self) -> str:
        return f"{self.region}/{self.environment}"

    def to_env(self) -> dict[str, str]:
        env = {ENV_REGION: self.region, ENV_ENVIRONMENT: self.environment, ENV_DB: self.db_url}
        env[ENV_TIME_ZONE] = self.time_zone
        env[ENV_PATIENT_LANGUAGE] = self.patient_language
        if self.secret_file:
            env[ENV_SECRET_FILE] = self.secret_file
        env[ENV_PUBLIC_URL] = self.public_url
        env[ENV_HOSTED_KEY_VERSION] = str(self.hosted_key_version)
        env[ENV_HOSTED_KEY_OLDEST] = str(self.hosted_key_oldest)
        env[ENV_QUIET_HOURS] = self.quiet_hours
        env[ENV_STOP_ROLES] = ",".join(self.stop_roles)
        return env

    @classmethod
    def from_env(cls) -> ServerConfig:
        versions = hosted_key_versions_from_env()
        return cls(
            region=os.environ.get(ENV_REGION, "eu"),
            environment=os.environ.get(ENV_ENVIRONMENT, "sandbox"),
            db_url=os.environ.get(ENV_DB, DEFAULT_DB),
            secret_file=os.environ.get(ENV_SECRET_FILE) or None,
            time_zone=os.environ.get(ENV_TIME_ZONE, ""),
            patient_language=os.environ.get(ENV_PATIENT_LANGUAGE) or "en",
            public_url=os.environ.get(ENV_PUBLIC_URL) or cls.public_url,
            quiet_hours=os.environ.get(ENV_QUIET_HOURS) or cls.quiet_hours,
            stop_roles=stop_roles_from_env(),
            hosted_key_version=versions["hosted_key_version"],
            hosted_key_oldest=versions["hosted_key_oldest"],
        )


def hosted_key_versions_from_env() -> dict[str, int]:
    """The hosted pages key versions (operators rotate them through the environment)."""
    out = {}
    options = {ENV_HOSTED_KEY_VERSION: "hosted_key_version", ENV_HOSTED_KEY_OLDEST: "hosted_key_oldest"}
    for name, option in options.items():
        raw = os.environ.get(name) or "1"
        if not raw.isdigit() or not 1 <= int(raw) <= 255:
            raise ConfigError(f"{name} must be a whole number from 1 to 255, got {raw!r}")
        out[option] = int(raw)
    return out


def stop_roles_from_env() -> tuple[str, ...]:
    """The roles that may stop a care flow, from CAREAPP_SERVER_STOP_ROLES (default: both)."""
    raw = os.environ.get(ENV_STOP_ROLES) or ",".join(USER_ROLES)
    roles = tuple(r.strip() for r in raw.split(",") if r.strip())
    if not roles or any(r not in USER_ROLES for r in roles):
        raise ConfigError(f"{ENV_STOP_ROLES} must list roles from {', '.join(USER_ROLES)}, got {raw!r}")
    return roles
