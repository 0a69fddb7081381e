"""Workstation settings: a small JSON file in the profile. Never holds patient data or secrets.

The file (``settings.json`` in the profile folder) is written atomically. Reading is lenient in
two ways, both on purpose:

- keys the file lacks take their defaults, so a file written by an older CareApp still loads;
- keys this version does not know are kept verbatim (``extra``) and written back on the next
  save, so an older CareApp opening a newer profile never silently drops the newer settings.

A value of the wrong kind (a word where a port number belongs) is a SettingsError: one line.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, NamedTuple

from careapp import paths
from careapp.domain.identifiers import (
    DEMO_HOSPITAL_PATIENT_ID,
    DEMO_HOSPITAL_VISIT_NUMBER,
    DEMO_NATIONAL_NUMBER,
    IdentifierKinds,
)

REGIONS = ("eu", "uk", "us")
ENVIRONMENTS = ("sandbox", "production")
DEMO_BACKEND = "demo"  # the embedded loopback backend started by the desktop itself
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")
IDLE_LOCK_RANGE = (1, 120)
# The desktop's languages besides English (the source text); "" follows the system locale.
DESKTOP_LANGUAGES = ("nl", "fr")
DEMO_AUTHORITY = "DEMOHOSP"  # the demo hospital's assigning authority
ANY_AUTHORITY = "*"  # an identifier rule's authority that matches any
# HL7 table 0203 types that name a stay or an account, not a person: many per patient.
ENCOUNTER_TYPE_CODES = frozenset({"VN", "AN"})
# How messages name a rule's system (never its values).
_TYPE_LABELS = {
    "MR": "medical record number", "PI": "hospital patient id", "PT": "hospital patient id",
    "NH": "national number", "NI": "national number", "SS": "social security number",
    "PPN": "passport number", "VN": "visit number", "AN": "account number",
}  # fmt: skip


class SettingsError(Exception):
    """The settings file cannot be read or written, or a setting is not acceptable."""


@dataclass(frozen=True)
class BackendProfile:
    """One backend this workstation is paired with (one region, one environment)."""

    url: str = DEMO_BACKEND
    region: str = "eu"
    environment: str = "sandbox"
    label: str = "Local demo"
    # Admin's explicit permission to import hospital patients into a Sandbox cache.
    allow_test_patients: bool = False
    # Keys of the file this version does not know: not compared, only carried back to disk.
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def is_demo(self) -> bool:
        return self.url == DEMO_BACKEND

    @property
    def key(self) -> str:
        return f"{self.url}|{self.region}|{self.environment}"

    @property
    def title(self) -> str:
        """How people name it: "Local demo", "EU Sandbox", "UK Production"."""
        if self.is_demo:
            return "Local demo"
        return f"{self.region.upper()} {self.environment.capitalize()}"


class IdentifierRule(NamedTuple):
    """A CX with this (assigning authority, identifier type code) becomes an identifier of ``system``.

    ``authority`` may be ``*`` for any authority. Rules are tried in order; the first match
    wins, also between PID-3 repetitions. Stored in the file as
    ``{"authority": ..., "type_code": ..., "system": ...}``.
    """

    authority: str
    type_code: str
    system: str

    def matches(self, authority: str, type_code: str) -> bool:
        return (self.authority in (ANY_AUTHORITY, authority)) and self.type_code == type_code


def demo_identifier_rules(
    patient_id_system: str = DEMO_HOSPITAL_PATIENT_ID, visit_number_system: str = DEMO_HOSPITAL_VISIT_NUMBER
) -> tuple[IdentifierRule, ...]:
    """The demo hospital's rules: its patient id typed PI or MR, any national number, its visits."""
    return (
        IdentifierRule(DEMO_AUTHORITY, "PI", patient_id_system),
        IdentifierRule(DEMO_AUTHORITY, "MR", patient_id_system),
        IdentifierRule(ANY_AUTHORITY, "NH", DEMO_NATIONAL_NUMBER),
        IdentifierRule(DEMO_AUTHORITY, "VN", visit_number_system),
    )


@dataclass(frozen=True)
class HospitalEndpoints:
    """How this workstation reaches its hospital (agreed with the hospital's interface team).

    The one definition of the hospital settings: ``integrations.config.HospitalConfig`` is this
    class with the behaviour imports need (rule matching, validation), and no fields of its own.
    """

    hl7_host: str = "127.0.0.1"
    hl7_port: int = 2575
    pdqm_url: str = "http://127.0.0.1:8760/fhir"
    default_source: str = "hl7"  # "hl7" or "pdqm"
    siu_dir: str = ""  # empty: the profile's siu-inbox folder
    patient_id_system: str = DEMO_HOSPITAL_PATIENT_ID
    visit_number_system: str = DEMO_HOSPITAL_VISIT_NUMBER
    timeout_seconds: float = 5.0
    # SIU appointment service/type code → care flow definition id.
    siu_care_flow_map: dict[str, str] = field(default_factory=dict)
    # MSH-3/4 (us) and MSH-5/6 (the hospital's interface engine).
    sending_application: str = "CAREAPP"
    sending_facility: str = "WARD"
    receiving_application: str = "HIS"
    receiving_facility: str = DEMO_AUTHORITY
    hl7_version: str = "2.5"  # "2.3", "2.4" or "2.5"
    # MSH-18 we send; replies and SIU files are decoded by their own MSH-18.
    hl7_encoding: str = "UNICODE UTF-8"
    # For messages without MSH-18 (e.g. "CP1250"); empty: UTF-8, else Latin-1.
    hl7_fallback_charset: str = ""
    query_authority: str = DEMO_AUTHORITY  # assigning authority named in the A19 query (XCN-9 of QRD-8)
    identifier_rules: tuple[IdentifierRule, ...] = field(default_factory=demo_identifier_rules)
    attempts: int = 2  # tries of an idempotent query (A19, PDQm GET) after a timeout or dropped connection
    # Keys of the file this version does not know: not compared, only carried back to disk.
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def identifier_kinds(self) -> IdentifierKinds:
        """Which of this hospital's identifier systems tell patients apart: the patient id
        system and every rule's person-level system (a national number) are one per patient;
        the visit number system and rules of encounter types are many per patient."""
        labels = {self.patient_id_system: "hospital patient id", self.visit_number_system: "visit number"}
        one_per_patient = set()
        for rule in self.identifier_rules:
            labels.setdefault(rule.system, _TYPE_LABELS.get(rule.type_code, "identifier"))
            if rule.system != self.visit_number_system and rule.type_code not in ENCOUNTER_TYPE_CODES:
                one_per_patient.add(rule.system)
        one_per_patient.add(self.patient_id_system)
        return IdentifierKinds(frozenset(one_per_patient), tuple(labels.items()))


@dataclass(frozen=True)
class Settings:
    backends: tuple[BackendProfile, ...] = (BackendProfile(),)
    active_backend: int = 0
    idle_lock_minutes: int = 5
    # Who may stop a care flow on this workstation: "clinician,admin" or "admin".
    stop_care_flow_roles: str = "clinician,admin"
    # "" (the system's), "en" or one of DESKTOP_LANGUAGES; another (a newer CareApp's) is kept
    # in the file but followed as "". Applies from the next start.
    language: str = ""
    hospital: HospitalEndpoints = field(default_factory=HospitalEndpoints)
    # Keys of the file this version does not know: not compared, only carried back to disk.
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def backend(self) -> BackendProfile:
        return self.backends[min(self.active_backend, len(self.backends) - 1)]

    def with_changes(self, **changes: Any) -> Settings:
        return replace(self, **changes)


# -- rules an admin's edits must follow (Qt-free, so the dialog and tests share them) ----------


def is_loopback_url(url: str) -> bool:
    from urllib.parse import urlsplit

    host = urlsplit(url).netloc.rpartition("@")[2]
    host = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    return host in LOOPBACK_HOSTS


def check_backend(profile: BackendProfile) -> None:
    """Raise SettingsError with one line when ``profile`` is not a usable backend."""
    from urllib.parse import urlsplit

    if profile.region not in REGIONS:
        raise SettingsError(f"Unknown region {profile.region!r} (one of {', '.join(REGIONS)}).")
    if profile.environment not in ENVIRONMENTS:
        raise SettingsError(f"Unknown environment {profile.environment!r} (sandbox or production).")
    if not profile.label.strip():
        raise SettingsError("Give the backend a name.")
    if profile.is_demo:
        if profile.environment == "production":
            raise SettingsError("The local demo is never Production: choose Sandbox, or give a backend URL.")
        return
    parts = urlsplit(profile.url)
    if parts.scheme not in ("https", "http") or not parts.netloc or parts.query or parts.fragment:
        raise SettingsError(f"The backend URL {profile.url!r} is not a valid https:// address.")
    if parts.scheme == "http" and not is_loopback_url(profile.url):
        raise SettingsError("The backend URL must start with https:// (plain http only on this machine).")


def check_backends(backends: tuple[BackendProfile, ...], active: int) -> None:
    if not backends:
        raise SettingsError("Keep at least one backend.")
    if not 0 <= active < len(backends):
        raise SettingsError("Choose the active backend.")
    seen: set[str] = set()
    for profile in backends:
        check_backend(profile)
        if profile.key in seen:
            raise SettingsError(f"{profile.label}: the same backend, region and environment is listed twice.")
        seen.add(profile.key)


# -- the file ---------------------------------------------------------------------------------


def _value(name: str, default: Any, raw: Any) -> Any:
    """``raw`` from JSON as the kind of value ``default`` is; SettingsError names the key."""
    kind = type(default)
    try:
        if kind is bool:
            if isinstance(raw, bool):
                return raw
        elif kind is int:
            if not isinstance(raw, bool) and isinstance(raw, int | float | str):
                return int(raw)
        elif kind is float:
            if not isinstance(raw, bool) and isinstance(raw, int | float | str):
                return float(raw)
        elif kind is str:
            if isinstance(raw, str | int | float) and not isinstance(raw, bool):
                return str(raw)
        elif kind is dict:
            if isinstance(raw, dict):
                return {str(k): str(v) for k, v in raw.items()}
        elif name == "identifier_rules":
            if isinstance(raw, list):
                return tuple(identifier_rule(r) for r in raw)
        else:  # pragma: no cover - every field kind is listed above
            return raw
    except (TypeError, ValueError, KeyError):
        pass
    raise ValueError(f"{name!r} has an unusable value {raw!r}")


def identifier_rule(raw: Any) -> IdentifierRule:
    """A rule from the file's object form, or the older (authority, type code, system) form."""
    if isinstance(raw, dict):
        return IdentifierRule(str(raw["authority"]), str(raw["type_code"]), str(raw["system"]))
    authority, type_code, system = raw
    return IdentifierRule(str(authority), str(type_code), str(system))


def _from_json(cls: type, raw: Any, **computed: Any) -> Any:
    if not isinstance(raw, dict):
        raise ValueError(f"expected an object, got {raw!r}")
    values: dict[str, Any] = dict(computed)
    known = {f.name for f in fields(cls)} - {"extra"}
    defaults = cls()
    for name in known - computed.keys():
        if name in raw:
            values[name] = _value(name, getattr(defaults, name), raw[name])
    values["extra"] = {k: v for k, v in raw.items() if k not in known}
    return cls(**values)


def _hospital_from_json(raw: Any) -> HospitalEndpoints:
    raw = raw if raw is not None else {}
    computed: dict[str, Any] = {}
    if isinstance(raw, dict) and not raw.get("identifier_rules"):
        # A file from before identifier rules: derive them from its systems, as imports did then.
        defaults = HospitalEndpoints()
        computed["identifier_rules"] = demo_identifier_rules(
            str(raw.get("patient_id_system", defaults.patient_id_system)),
            str(raw.get("visit_number_system", defaults.visit_number_system)),
        )
    return _from_json(HospitalEndpoints, raw, **computed)


def _to_json(obj: Any) -> Any:
    if isinstance(obj, IdentifierRule):
        return obj._asdict()
    if hasattr(obj, "__dataclass_fields__"):
        data = {f.name: _to_json(getattr(obj, f.name)) for f in fields(obj) if f.name != "extra"}
        return {**obj.extra, **data}
    if isinstance(obj, tuple | list):
        return [_to_json(v) for v in obj]
    if isinstance(obj, dict):
        return {k: _to_json(v) for k, v in obj.items()}
    return obj


def from_json(raw: Any) -> Settings:
    if not isinstance(raw, dict):
        raise ValueError("the file does not hold a settings object")
    backends = tuple(_from_json(BackendProfile, b) for b in raw.get("backends") or []) or (BackendProfile(),)
    low, high = IDLE_LOCK_RANGE
    settings = _from_json(
        Settings,
        raw,
        backends=backends,
        hospital=_hospital_from_json(raw.get("hospital")),
    )
    return replace(
        settings,
        active_backend=min(max(0, settings.active_backend), len(backends) - 1),
        idle_lock_minutes=min(max(low, settings.idle_lock_minutes), high),
    )


def to_json(settings: Settings) -> dict[str, Any]:
    return _to_json(settings)


def load(path: Path | None = None) -> Settings:
    path = path or paths.settings_file()
    if not path.exists():
        return Settings()
    try:
        return from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError) as exc:
        raise SettingsError(f"Settings file {path} is unreadable: {exc}") from exc


def save(settings: Settings, path: Path | None = None) -> None:
    """Write atomically so a full disk or a crash never leaves half a settings file."""
    import tempfile  # not needed at start-up

    path = path or paths.settings_file()
    data = to_json(settings)
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".settings-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, ensure_ascii=False)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        if tmp:
            Path(tmp).unlink(missing_ok=True)
        raise SettingsError(f"Could not save settings: {exc.strerror or exc}") from exc
