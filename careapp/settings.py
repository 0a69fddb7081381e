"""Workstation settings: a small JSON file in the profile. Never holds patient data or secrets."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from careapp import paths
from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID, DEMO_HOSPITAL_VISIT_NUMBER

REGIONS = ("eu", "uk", "us")
ENVIRONMENTS = ("sandbox", "production")
DEMO_BACKEND = "demo"  # the embedded loopback backend started by the desktop itself


@dataclass(frozen=True)
class BackendProfile:
    """One backend this workstation is paired with (one region, one environment)."""

    url: str = DEMO_BACKEND
    region: str = "eu"
    environment: str = "sandbox"
    label: str = "Local demo"
    # Admin's explicit permission to import hospital patients into a Sandbox cache.
    allow_test_patients: bool = False

    @property
    def is_demo(self) -> bool:
        return self.url == DEMO_BACKEND

    @property
    def key(self) -> str:
        return f"{self.url}|{self.region}|{self.environment}"


@dataclass(frozen=True)
class HospitalEndpoints:
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


@dataclass(frozen=True)
class Settings:
    backends: tuple[BackendProfile, ...] = (BackendProfile(),)
    active_backend: int = 0
    idle_lock_minutes: int = 5
    hospital: HospitalEndpoints = field(default_factory=HospitalEndpoints)

    @property
    def backend(self) -> BackendProfile:
        return self.backends[min(self.active_backend, len(self.backends) - 1)]

    def with_changes(self, **changes: Any) -> Settings:
        return replace(self, **changes)


class SettingsError(Exception):
    """The settings file cannot be read or written."""


def load(path: Path | None = None) -> Settings:
    path = path or paths.settings_file()
    if not path.exists():
        return Settings()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        backends = tuple(BackendProfile(**b) for b in raw.get("backends", [])) or (BackendProfile(),)
        return Settings(
            backends=backends,
            active_backend=int(raw.get("active_backend", 0)),
            idle_lock_minutes=max(1, int(raw.get("idle_lock_minutes", 5))),
            hospital=HospitalEndpoints(**raw.get("hospital", {})),
        )
    except (OSError, ValueError, TypeError) as exc:
        raise SettingsError(f"Settings file {path} is unreadable: {exc}") from exc


def save(settings: Settings, path: Path | None = None) -> None:
    """Write atomically so a full disk or a crash never leaves half a settings file."""
    import tempfile  # not needed at start-up

    path = path or paths.settings_file()
    data = asdict(settings)
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".settings-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        if tmp:
            Path(tmp).unlink(missing_ok=True)
        raise SettingsError(f"Could not save settings: {exc.strerror or exc}") from exc
