"""The hospital's results inbox: ORU^R01 messages received over MLLP, kept in a folder.

Each message is kept once, as received, in ``<folder>/<MSH-10>.hl7``; a resend of the same
MSH-10 is acknowledged again but not kept twice, as a hospital's interface engine does. How it
answers is set on demand (``answer``): AA, AE or AR with a reason, or ``silent`` (no answer at all:
the sender must time out and try again).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from careapp.hospital_sim import hl7_messages as msgs

ANSWERS = ("AA", "AE", "AR", "silent")
_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")


class ResultsInbox:
    def __init__(self, folder: Path | None = None, answer: str = "AA", reason: str = "") -> None:
        self.folder = folder
        self.answer = answer
        self.reason = reason or "Result refused by the stand-in hospital"
        self.kept: list[str] = []  # MSH-10 of each message kept, in arrival order
        self.received = 0  # every ORU that arrived, resends included
        self._seen: set[str] = set()
        self._lock = threading.Lock()
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
            self._seen.update(p.stem for p in folder.glob("*.hl7"))

    def receive(self, payload: bytes, query: msgs.Query) -> bytes | None:
        """Keep an ORU^R01 and answer it (None: stay silent)."""
        with self._lock:
            self.received += 1
            answer = self.answer
            if answer == "silent":
                return None
            if answer == "AA" and query.control_id not in self._seen:
                self._seen.add(query.control_id)
                self.kept.append(query.control_id)
                self._write(query.control_id, payload)
        return msgs.result_ack(query, answer, "" if answer == "AA" else self.reason)

    def _write(self, control_id: str, payload: bytes) -> None:
        if self.folder is None:
            return
        name = "".join(c if c in _SAFE else "_" for c in control_id)[:100] or "message"
        tmp = self.folder / f".{name}.tmp"
        tmp.write_bytes(payload)
        os.replace(tmp, self.folder / f"{name}.hl7")
