"""The backend's answers to a clinician's queued work, written back into the cache."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from careapp.storage import clinician_work, remote_changes, remote_ward_work


def settle_answers(
    session: Session, accepted: list[tuple[str, dict[str, Any]]], refused: list[tuple[str, dict[str, Any]]]
) -> None:
    """ACCEPTED (kind, the backend's body) show as the backend has them now: a completed activity,
    a stopped care flow. REFUSED (kind, the outbox payload) are undone here (see release_refused)."""
    activities = [body for kind, body in accepted if kind in clinician_work.ACTIVITY_KINDS and body.get("id")]
    stopped = [body for kind, body in accepted if kind == clinician_work.STOP and body.get("id")]
    remote_changes.apply_activities(session, activities)
    remote_ward_work.apply_care_flows_work(
        session, stopped, remote_changes.apply_care_flows(session, stopped)
    )
    clinician_work.release_refused(session, refused)
