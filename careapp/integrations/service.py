"""The hospital-import service functions the UI and the headless commands call.

All are blocking and Qt-free: the UI runs them off the GUI thread (QueryOp/CollectionOp style)
and shows ``str(error)`` of any HospitalError or StorageError as its one-line message.

    config = hospital_config(settings)
    records = look_up_patient(config, "100001", kind=IdKind.PATIENT_ID)   # preview; 1 or many
    saved = save_imported_patient(db, config, records[0].patient, physician, actor=user, source="hl7")
    summary = pull_siu_folder(db, config, actor=user, progress=cb, cancel=event)
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from careapp.domain.patient import Patient, Physician
from careapp.integrations.config import HospitalConfig
from careapp.integrations.errors import ConfigurationError
from careapp.integrations.hl7.drop_folder import DEFAULT_MIN_AGE
from careapp.integrations.lookup import IdKind, look_up
from careapp.integrations.mapping import HospitalRecord
from careapp.integrations.siu_pull import Progress, SiuSummary, pull_siu
from careapp.storage.appointments import AppointmentRepository
from careapp.storage.database import CacheDatabase
from careapp.storage.patients import PatientRepository, SavedPatient

__all__ = [
    "HospitalRecord",
    "IdKind",
    "ImportRefused",
    "SiuSummary",
    "hospital_config",
    "import_allowed",
    "look_up_patient",
    "pull_siu_folder",
    "save_imported_patient",
    "siu_folder",
]


class ImportRefused(ConfigurationError):
    """This workstation's active backend does not take hospital patients (Sandbox, not allowed)."""


def hospital_config(settings: Any) -> HospitalConfig:
    """The import configuration for ``settings`` (a ``careapp.settings.Settings``).

    Every hospital import in the UI (import dialog, "Pull SIU now") starts here, so the Sandbox
    refusal is checked here too: no path into the cache can forget it.
    """
    import_allowed(settings)
    return HospitalConfig.from_endpoints(settings.hospital)


def import_allowed(settings: Any) -> None:
    """Raise ImportRefused unless hospital patients may go into the active backend's cache.

    Real hospital patients belong in Production (or the local demo, which talks to the
    simulator); a Sandbox cache takes them only with an admin's explicit permission.
    """
    backend = settings.backend
    if backend.is_demo or backend.environment != "sandbox" or backend.allow_test_patients:
        return
    raise ImportRefused(
        f"No real patients in {backend.region.upper()} Sandbox: importing from the hospital is refused "
        "until an admin allows test patients for this workstation (Settings, Backends)."
    )


def look_up_patient(
    config: HospitalConfig, value: str, *, kind: IdKind = IdKind.PATIENT_ID, source: str | None = None
) -> list[HospitalRecord]:
    """Fetch demographics for the preview: one record, or several (PDQm) for the clinician to
    choose from. ``record.attending`` (from PV1-7) is a suggestion for the physician choice."""
    return look_up(config, value, kind=kind, source=source)


def save_imported_patient(
    db: CacheDatabase,
    config: HospitalConfig,
    patient: Patient,
    physician: Physician | None,
    *,
    actor: str,
    source: str,
) -> SavedPatient:
    """Save the previewed patient. ``SavedPatient.created`` is False when a known identifier
    updated an existing patient (say so to the clinician). A record that shares a visit or
    national number with a cached patient of another hospital id raises IdentifierConflict
    (a StorageError): nothing is saved."""
    return PatientRepository(db).save_imported(
        patient, physician=physician, actor=actor, source=source, kinds=config.identifier_kinds
    )


def siu_folder(config: HospitalConfig) -> Path:
    if config.siu_dir:
        return Path(config.siu_dir).expanduser()
    from careapp import paths

    return paths.siu_drop_dir()


def pull_siu_folder(
    db: CacheDatabase,
    config: HospitalConfig,
    *,
    actor: str,
    folder: Path | None = None,
    source: str | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    min_age: float = DEFAULT_MIN_AGE,
) -> SiuSummary:
    """One pass over the SIU folder. ``progress(done, total)`` is called from the calling
    thread after each file; setting ``cancel`` stops between files. Never raises for a bad
    file or an unreachable hospital: the summary says what happened (``stopped``, ``errors``)."""
    appointments = AppointmentRepository(db, kinds=config.identifier_kinds)
    return pull_siu(
        folder or siu_folder(config), config, appointments, actor=actor,
        source=source, progress=progress, cancel=cancel, min_age=min_age,
    )  # fmt: skip
