"""Per-hospital import configuration, derived from the workstation's ``HospitalEndpoints``.

Fields the settings file does not (yet) carry fall back to the demo hospital's values, read with
``getattr`` so that adding them to ``careapp.settings.HospitalEndpoints`` needs no change here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

from careapp.domain.identifiers import (
    DEMO_HOSPITAL_PATIENT_ID,
    DEMO_HOSPITAL_VISIT_NUMBER,
    DEMO_NATIONAL_NUMBER,
)
from careapp.integrations.errors import ConfigurationError
from careapp.integrations.hl7.codec import DecodeError, codec_for

DEMO_AUTHORITY = "DEMOHOSP"
ANY = "*"
SOURCES = ("hl7", "pdqm")
HL7_VERSIONS = ("2.3", "2.4", "2.5")


@dataclass(frozen=True, slots=True)
class IdentifierRule:
    """A CX with this (assigning authority, identifier type code) becomes an identifier of ``system``.

    ``authority`` may be ``*`` for any authority. Rules are tried in order; the first match wins.
    """

    authority: str
    type_code: str
    system: str

    def matches(self, authority: str, type_code: str) -> bool:
        return (self.authority in (ANY, authority)) and self.type_code == type_code


def default_identifier_rules(
    patient_id_system: str = DEMO_HOSPITAL_PATIENT_ID,
    visit_number_system: str = DEMO_HOSPITAL_VISIT_NUMBER,
) -> tuple[IdentifierRule, ...]:
    return (
        IdentifierRule(DEMO_AUTHORITY, "PI", patient_id_system),
        IdentifierRule(DEMO_AUTHORITY, "MR", patient_id_system),
        IdentifierRule(ANY, "NH", DEMO_NATIONAL_NUMBER),
        IdentifierRule(DEMO_AUTHORITY, "VN", visit_number_system),
    )


@dataclass(frozen=True)
class HospitalConfig:
    hl7_host: str = "127.0.0.1"
    hl7_port: int = 2575
    pdqm_url: str = "http://127.0.0.1:8760/fhir"
    default_source: str = "hl7"
    siu_dir: str = ""
    patient_id_system: str = DEMO_HOSPITAL_PATIENT_ID
    visit_number_system: str = DEMO_HOSPITAL_VISIT_NUMBER
    timeout_seconds: float = 5.0
    siu_care_flow_map: Mapping[str, str] = field(default_factory=dict)
    # HL7 header and query details agreed with the hospital's interface team.
    sending_application: str = "CAREAPP"
    sending_facility: str = "WARD"
    receiving_application: str = "HIS"
    receiving_facility: str = DEMO_AUTHORITY
    hl7_version: str = "2.5"
    hl7_encoding: str = "UNICODE UTF-8"  # MSH-18 we send; replies are decoded by their own MSH-18
    hl7_fallback_charset: str = ""  # for messages without MSH-18, e.g. "CP1250"; "": UTF-8, else Latin-1
    query_authority: str = DEMO_AUTHORITY  # XCN-9 of QRD-8
    identifier_rules: tuple[IdentifierRule, ...] = field(default_factory=default_identifier_rules)
    # Attempts for an idempotent query (A19 or PDQm GET) after a timeout or dropped connection.
    attempts: int = 2

    @classmethod
    def from_endpoints(cls, endpoints: Any, **overrides: Any) -> HospitalConfig:
        """Build from ``settings.HospitalEndpoints`` (or anything with the same attributes)."""
        values: dict[str, Any] = {}
        for name in cls.__dataclass_fields__:
            if hasattr(endpoints, name):
                values[name] = getattr(endpoints, name)
        rules = values.get("identifier_rules")
        if rules:
            values["identifier_rules"] = tuple(_rule(r) for r in rules)
        else:
            values["identifier_rules"] = default_identifier_rules(
                values.get("patient_id_system", DEMO_HOSPITAL_PATIENT_ID),
                values.get("visit_number_system", DEMO_HOSPITAL_VISIT_NUMBER),
            )
        values.update(overrides)
        config = cls(**values)
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


def _rule(raw: Any) -> IdentifierRule:
    if isinstance(raw, IdentifierRule):
        return raw
    if isinstance(raw, Mapping):
        return IdentifierRule(str(raw["authority"]), str(raw["type_code"]), str(raw["system"]))
    authority, type_code, system = raw
    return IdentifierRule(str(authority), str(type_code), str(system))
