"""What the status bar and the "needs attention" list show. Plain immutable values."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from careapp.backend.errors import describe_problem


@dataclass(frozen=True)
class SyncStatus:
    """A snapshot for the status bar.

    online: True after the backend last answered, False after it could not be reached,
    None before the first attempt. queued: changes waiting to be sent. rejected: changes the
    backend refused ("needs attention"). last_sync: end of the last pass that sent everything it
    could and read the change feed (naive UTC).
    """

    online: bool | None
    paired: bool
    queued: int
    rejected: int
    last_sync: datetime | None
    last_error: str | None = None
    next_attempt_at: datetime | None = None  # backoff after a failure; "Sync now" ignores it
    running: bool = False
    credential_in_file: bool = False  # show "credential stored in a file (no OS keyring)"

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("last_sync", "next_attempt_at"):
            data[key] = data[key].isoformat() if data[key] else None
        return data


@dataclass(frozen=True)
class AttentionItem:
    """One change the backend refused, kept until an admin sends it again or discards it."""

    outbox_id: int
    kind: str  # patient.upsert | care_flow.start | user.provision | user.deactivate
    subject: str  # local reference: "patient:<uid>", "user:<name>" (no demographics)
    message: str  # one line, safe to show
    problem: dict[str, Any]  # the backend's RFC 9457 problem document
    attempts: int
    created_at: datetime


def attention_item(
    outbox_id: int,
    kind: str,
    payload: dict[str, Any],
    last_error: str | None,
    attempts: int,
    created: datetime,
) -> AttentionItem:
    try:
        problem = json.loads(last_error or "{}")
    except ValueError:
        problem = {"detail": last_error}
    if not isinstance(problem, dict):
        problem = {"detail": str(problem)}
    status = int(problem.get("status") or 0)
    message = describe_problem(status, problem) if status else str(problem.get("detail") or "Refused")
    if kind.startswith("user."):
        subject = f"user:{payload.get('username')}"
    else:
        subject = f"patient:{payload.get('patient_uid') or payload.get('uid')}"
    return AttentionItem(outbox_id, kind, subject, message, problem, attempts, created)
