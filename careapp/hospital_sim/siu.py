"""Drop SIU^S12 (new appointment) files into a folder, as a hospital's scheduling system would.

Each file is written under a ``.tmp`` name and renamed when complete, the convention the
desktop's SIU pull relies on (it also skips files modified in the last seconds).
"""

from __future__ import annotations

import itertools
import os
import random
import time
from datetime import datetime, timedelta
from pathlib import Path

from careapp.hospital_sim import hl7_messages as msgs
from careapp.hospital_sim.patients import SimPatient

# Appointment services (AIS-3) the demo hospital books; map them to care flows in the settings.
_runs = itertools.count()
SERVICES = (
    ("CARDIO-FU", "Cardiology follow-up"),
    ("ORTHO-KNEE", "Knee replacement pre-op"),
    ("DIAB-ED", "Diabetes education"),
    ("GEN-CONSULT", "General consultation"),
)


def _write(folder: Path, name: str, text: str, charset: str) -> Path:
    final = folder / name
    tmp = folder / f".{name}.tmp"
    tmp.write_bytes(text.encode(msgs.CHARSETS[charset]))
    os.replace(tmp, final)
    return final


def _charset_for(text: str, charset: str) -> str:
    try:
        text.encode(msgs.CHARSETS[charset])
    except UnicodeEncodeError:
        return msgs.UTF8
    return charset


def write_siu_files(
    folder: Path | str,
    patients: list[SimPatient],
    count: int,
    *,
    seed: int = 1,
    start: datetime | None = None,
    batch_size: int = 0,
    charset: str = msgs.UTF8,
    version: str = "2.5",
) -> list[Path]:
    """Write ``count`` appointments: one file each, or FHS/BHS batch files of ``batch_size``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    start = start or datetime.now().replace(hour=8, minute=0, second=0, microsecond=0)
    # Control ids differ per run (a re-run drops new appointments); content follows the seed.
    stamp = f"{int(time.time()) % 10**8:08d}{next(_runs) % 100:02d}"
    written: list[Path] = []
    batch: list[str] = []
    for n in range(count):
        patient = patients[rng.randrange(len(patients))]
        code, text = SERVICES[rng.randrange(len(SERVICES))]
        ctrl = f"SIU{stamp}{n:07d}"
        message = msgs.siu_s12(
            patient, ctrl=ctrl, appointment_id=f"APT{stamp}{n:07d}", service_code=code,
            service_text=text, start=start + timedelta(minutes=15 * n), version=version,
            charset=_charset_for(patient.family + patient.given, charset),
        )  # fmt: skip
        if batch_size <= 0:
            cs = _charset_for(message, charset)
            written.append(_write(folder, f"{ctrl}.hl7", message, cs))
            continue
        batch.append(message)
        if len(batch) == batch_size or n == count - 1:
            written.append(_write(folder, f"BATCH{stamp}{n:07d}.hl7", _batch_text(batch), msgs.UTF8))
            batch = []
    return written


def _batch_text(messages: list[str]) -> str:
    now = datetime.now().strftime("%Y%m%d%H%M%S")
    # Every message in a batch shares the file's encoding: declare UTF-8 on each.
    body = "".join(m.replace("|8859/1\r", f"|{msgs.UTF8}\r", 1) for m in messages)
    return (
        f"FHS|^~\\&|HIS|DEMOHOSP|CAREAPP|WARD|{now}\r"
        f"BHS|^~\\&|HIS|DEMOHOSP|CAREAPP|WARD|{now}\r"
        f"{body}BTS|{len(messages)}\rFTS|1\r"
    )
