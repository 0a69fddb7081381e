"""Headless ``careapp import`` and ``careapp siu-pull`` (wired in careapp/cli.py).

Each returns a JSON-able dict or raises CommandError with one line. Both work on a fresh
profile: default settings point at the demo hospital simulator on loopback, and while the app
runs its embedded demo, at that demo's hospital (careapp.demo_hospital).
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from careapp.domain.patient import Physician
from careapp.errors import CommandError
from careapp.integrations.config import HospitalConfig
from careapp.integrations.errors import AmbiguousPatient, HospitalError
from careapp.integrations.lookup import IdKind
from careapp.integrations.mapping import HospitalRecord, patient_to_json, physician_to_json
from careapp.integrations.service import (
    import_allowed,
    look_up_patient,
    pull_siu_folder,
    save_imported_patient,
    siu_folder,
)

ACTOR = "system:careapp-cli"


def _settings() -> Any:
    """The stored settings; with no hospital configured, the running demo's hospital (if any)."""
    from careapp import demo_hospital, settings

    try:
        return demo_hospital.hospital_settings(settings.load())
    except settings.SettingsError as exc:
        raise CommandError(str(exc)) from None


@contextmanager
def _cache(settings: Any) -> Iterator[Any]:
    from careapp.storage.database import open_active_cache
    from careapp.storage.errors import StorageError

    try:
        db = open_active_cache(settings)
    except StorageError as exc:
        raise CommandError(str(exc)) from None
    try:
        yield db
    except StorageError as exc:
        raise CommandError(str(exc)) from None
    finally:
        db.close()


def _config(settings: Any, args: argparse.Namespace) -> tuple[HospitalConfig, str]:
    """Configured endpoints with this run's overrides, and the source to use.

    Without ``--source``, naming exactly one endpoint (``--hl7`` or ``--pdqm``) picks its source.
    """
    try:
        config = HospitalConfig.from_endpoints(settings.hospital)
        hl7 = getattr(args, "hl7", None)
        pdqm = getattr(args, "pdqm", None)
        if hl7:
            config = config.with_hl7_endpoint(hl7)
        if pdqm:
            config = config.with_pdqm_url(pdqm)
    except HospitalError as exc:
        raise CommandError(str(exc)) from None
    source = getattr(args, "source", None)
    if not source:
        source = "hl7" if hl7 and not pdqm else "pdqm" if pdqm and not hl7 else config.default_source
    return config, source


def _physician(db: Any, code: str | None, record: HospitalRecord) -> Physician | None:
    """``--physician CODE`` (keeping a known physician's name), else the hospital's attending."""
    if not code:
        return record.attending
    from careapp.storage.physicians import PhysicianRepository

    known = next((p for p in PhysicianRepository(db).all() if p.code == code), None)
    if known is not None:
        return Physician(known.code, known.name)
    if record.attending is not None and record.attending.code == code:
        return record.attending
    return Physician(code, code)


def _refuse_sandbox(settings: Any) -> None:
    """Checked before anything else: no real patients in Sandbox, whatever the other options."""
    try:
        import_allowed(settings)
    except HospitalError as exc:
        raise CommandError(str(exc)) from None


def import_patient(args: argparse.Namespace) -> dict[str, Any]:
    settings = _settings()
    _refuse_sandbox(settings)
    config, source = _config(settings, args)
    kind = IdKind.VISIT_NUMBER if getattr(args, "visit", False) else IdKind.PATIENT_ID
    try:
        records = look_up_patient(config, str(args.id), kind=kind, source=source)
    except HospitalError as exc:
        raise CommandError(str(exc)) from None
    if len(records) > 1:
        raise CommandError(str(AmbiguousPatient(len(records))))
    record = records[0]
    with _cache(settings) as db:
        physician = _physician(db, getattr(args, "physician", None), record)
        saved = save_imported_patient(db, config, record.patient, physician, actor=ACTOR, source=source)
    return {
        "created": saved.created,
        "updated": not saved.created,
        "source": source,
        "patient": patient_to_json(saved.patient),
        "physician": physician_to_json(physician),
    }


def siu_pull(args: argparse.Namespace) -> dict[str, Any]:
    settings = _settings()
    _refuse_sandbox(settings)
    config, source = _config(settings, args)
    folder = Path(args.dir).expanduser() if getattr(args, "dir", None) else siu_folder(config)
    if not folder.is_dir():
        raise CommandError(f"The SIU folder {folder} does not exist.")
    with _cache(settings) as db:
        summary = pull_siu_folder(db, config, actor=ACTOR, folder=folder, source=source)
    if summary.stopped:
        done = summary.processed + summary.failed
        raise CommandError(
            f"SIU pull stopped after {done} of {summary.files} files "
            f"({summary.processed} processed, {summary.failed} to error/): {summary.stopped}"
        )
    return summary.as_json()
