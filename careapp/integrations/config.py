"""Per-hospital import configuration: the workstation's hospital settings, with behaviour.

``HospitalConfig`` adds methods, never fields, to ``careapp.settings.HospitalEndpoints``, so the
settings file, the settings page and the imports share one definition of what a hospital is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from typing import Any
from urllib.parse import urlsplit

from careapp.integrations.errors import ConfigurationError
from careapp.integrations.hl7.codec import DecodeError, codec_for
from careapp.settings import (
    ANY_AUTHORITY,
    DEMO_AUTHORITY,
    HospitalEndpoints,
    IdentifierRule,
    demo_identifier_rules,
)

__all__ = ["ANY_AUTHORITY", "DEMO_AUTHORITY", "HospitalConfig", "IdentifierRule", "demo_identifier_rules"]
SOURCES = ("hl7", "pdqm")
HL7_VERSIONS = ("2.3", "2.4", "2.5")


@dataclass(frozen=True)
class HospitalConfig(HospitalEndpoints):
    @classmethod
    def from_endpoints(cls, endpoints: HospitalEndpoints, **overrides: Any) -> HospitalConfig:
        """The settings' endpoints (with this run's overrides), validated."""
        values = {f.name: getattr(endpoints, f.name) for f in fields(HospitalEndpoints)}
        config = cls(**{**values, **overrides})
        config.validate()
        return config

    def with_hl7_endpoint(self, endpoint: str) -> HospitalConfig:
        """``HOST:PORT`` from the command line (``--hl7``)."""
        host, sep, port = endpoint.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ConfigurationError(f"--hl7 expects HOST:PORT, got {endpoint!r}.")
        return replace(self, hl7_host=host.strip("[]"), hl7_port=int(port))

    def with_pdqm_url(self, url: str) -> HospitalConfig:
        config = replace(self, pdqm_url=url.rstrip("/"))
        config.validate()
        return config

    def validate(self) -> None:
        if self.default_source not in SOURCES:
            raise ConfigurationError(f"Unknown import source {self.default_source!r} (hl7 or pdqm).")
        if self.hl7_version not in HL7_VERSIONS:
            raise ConfigurationError(f"Unsupported HL7 version {self.hl7_version!r}.")
        parts = urlsplit(self.pdqm_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigurationError(f"The PDQm URL {self.pdqm_url!r} is not an http(s) URL.")
        for name, charset in (("HL7", self.hl7_encoding), ("fallback", self.hl7_fallback_charset)):
            try:
                codec_for(charset)
            except DecodeError:
                raise ConfigurationError(f"Unsupported {name} character set {charset!r}.") from None
        if self.timeout_seconds <= 0:
            raise ConfigurationError("The hospital timeout must be positive.")

    @property
    def hl7_endpoint(self) -> str:
        return f"{self.hl7_host}:{self.hl7_port}"

    @property
    def known_systems(self) -> frozenset[str]:
        """Identifier systems this hospital's records are kept under."""
        systems = {r.system for r in self.identifier_rules}
        return frozenset(systems | {self.patient_id_system, self.visit_number_system})

    def system_for(self, authority: str, type_code: str) -> str | None:
        return next((r.system for r in self.identifier_rules if r.matches(authority, type_code)), None)

    def care_flow_for(self, codes: Iterable[str]) -> tuple[str | None, str | None]:
        """First appointment code with a mapped care flow definition: (code, definition id)."""
        for code in codes:
            if code and code in self.siu_care_flow_map:
                return code, self.siu_care_flow_map[code]
        return None, None
