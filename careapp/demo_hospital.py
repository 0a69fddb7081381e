"""Where the running embedded demo's hospital can be found: by the app and the headless commands.

The demo hospital listens on ports chosen when the desktop starts it. While it runs, the
desktop writes them to ``demo/hospital.json`` in the profile (removed when it stops), so that
``careapp import`` and ``careapp siu-pull`` reach the same hospital as the app, and Settings can
show them. They are used only while no hospital is configured: a configured one always wins.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from careapp import paths
from careapp.settings import HospitalEndpoints, Settings

FILE_NAME = "hospital.json"
# The simulator's booked services → the seeded demo care flows, for "Pull SIU now".
DEMO_CARE_FLOW_MAP = {
    "CARDIO-FU": "post-discharge-follow-up",
    "ORTHO-KNEE": "pre-op-intake",
    "DIAB-ED": "chronic-care-check-in",
    "GEN-CONSULT": "post-discharge-follow-up",
}


def demo_endpoints(mllp: str, pdqm_url: str, siu_dir: Path) -> HospitalEndpoints:
    """The demo hospital's endpoints: MLLP ``HOST:PORT``, PDQm base URL, its SIU drop folder."""
    host, _, port = mllp.rpartition(":")
    return replace(
        HospitalEndpoints(), hl7_host=host, hl7_port=int(port), pdqm_url=pdqm_url,
        siu_dir=str(siu_dir), siu_care_flow_map=dict(DEMO_CARE_FLOW_MAP),
    )  # fmt: skip


def publish(folder: Path, endpoints: HospitalEndpoints) -> None:
    """Write where the running demo hospital listens (atomically: a reader never sees half)."""
    data = {"mllp": f"{endpoints.hl7_host}:{endpoints.hl7_port}", "pdqm": endpoints.pdqm_url,
            "siu_dir": endpoints.siu_dir}  # fmt: skip
    tmp = folder / f".{FILE_NAME}.tmp"
    tmp.write_text(json.dumps(data), encoding="utf-8")
    os.replace(tmp, folder / FILE_NAME)


def withdraw(folder: Path) -> None:
    (folder / FILE_NAME).unlink(missing_ok=True)


def running(folder: Path | None = None) -> HospitalEndpoints | None:
    """The running demo hospital's endpoints, or None when none was published (or it is unreadable)."""
    path = (folder or paths.demo_dir()) / FILE_NAME
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
        return demo_endpoints(str(data["mllp"]), str(data["pdqm"]), Path(str(data["siu_dir"])))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def applies(settings: Settings) -> bool:
    """Whether imports use the demo hospital: the local demo backend, and no hospital configured."""
    return settings.backend.is_demo and settings.hospital == HospitalEndpoints()


def hospital_settings(settings: Settings) -> Settings:
    """``settings`` with the running demo hospital's endpoints when they apply (never saved)."""
    if applies(settings) and (endpoints := running()) is not None:
        return settings.with_changes(hospital=endpoints)
    return settings
