"""The backend's delivery logs of care flows, kept as the messages that failed for good, so the
care flow shows them offline too.

A care flow's log is the backend's whole current view of its messages: applying it replaces
what the cache held for that care flow (idempotent; a message that failed twice is one row).
Only the channel, the kind and the backend's reason are kept: never an address or a link.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import delete, insert
from sqlalchemy.orm import Session

from careapp.domain.clock import utcnow
from careapp.storage.models import CareFlowRow, NotificationFailureRow
from careapp.storage.remote_care_flows import ids_by_remote
from careapp.storage.remote_patients import naive_utc

FAILED = "failed"


def apply_delivery_logs(session: Session, logs: Mapping[str, Sequence[Mapping[str, Any]]]) -> int:
    """Replace the failures of the care flows LOGS names (server id → its delivery log); care
    flows not cached are left out. Returns how many failures the cache now holds for them."""
    flows = ids_by_remote(session, CareFlowRow.id, CareFlowRow.remote_id, logs)
    if not flows:
        return 0
    failure = NotificationFailureRow
    session.execute(delete(failure).where(failure.care_flow_id.in_(flows.values())))
    rows = [
        {
            "id": str(item["id"]),
            "care_flow_id": flows[remote_id],
            "channel": str(item["channel"]),
            "kind": str(item["kind"]),
            "reason": item.get("last_error"),
            "failed_at": naive_utc(item.get("last_attempt_at") or item.get("created_at")) or utcnow(),
        }
        for remote_id, items in logs.items()
        if remote_id in flows
        for item in items
        if item.get("status") == FAILED
    ]
    if rows:
        session.execute(insert(failure), rows)
    return len(rows)
