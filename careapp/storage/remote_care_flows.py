"""The backend's care flows and their activities written into the cache, a page at a time.

A page of the change feed (or a full resync) names hundreds of care flows and activities. They
are matched to cached rows with one query per table by server id, then written with one
statement per table, instead of a select, a definition look-up and a flush per care flow
(~12 ms each, which made pulling desktop-bound).

The rules are those of one care flow at a time:
- a care flow whose patient is not cached, or an activity whose care flow is not, is left out
  (a later page, or the fetch of missing patients, brings what it needs);
- a care flow is matched only by its server id: a start still queued here has none, so the
  backend's rows never overwrite an enrollment it has not acknowledged yet;
- applying the same resources again changes nothing (idempotent);
- within a page the last resource of a care flow or activity wins (they are oldest first).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from careapp.domain.clock import utcnow
from careapp.storage.models import ActivityRow, CareFlowDefinitionRow, CareFlowRow, PatientRow, UserRow
from careapp.storage.remote_patients import chunks, naive_utc

# What a care flow's update depends on besides the backend's resource.
FLOW_STATE = ("title", "definition_id", "status", "definition_version")
Resource = Mapping[str, Any]


def text_of(value: Any, language: str = "en") -> str:
    """A display string from a plain or localized ({"en": …, "nl": …}) backend text."""
    if isinstance(value, dict):
        return str(value.get(language) or next(iter(value.values()), ""))
    return "" if value is None else str(value)


def care_flow_values(
    resource: Resource,
    current: Mapping[str, Any],
    definition_title: Callable[[str], str | None],
) -> dict[str, Any]:
    """The columns of a cached care flow (CURRENT: title, definition_id, status,
    definition_version) once the backend's RESOURCE for it is known."""
    title = current["title"]
    if title == current["definition_id"]:  # queued before the definitions were synced
        title = definition_title(title) or title
    version = resource.get("version")
    values = {
        "remote_id": str(resource["id"]),
        "title": title,
        "status": str(resource.get("status") or current["status"]),
        "definition_version": current["definition_version"] if version is None else int(version),
        "updated_at": naive_utc(resource.get("updated_at")) or utcnow(),
    }
    if "hosted_pages_link" in resource:
        # Kept so "Static link QR" works offline; None once an admin revoked it.
        values["static_link_url"] = resource["hosted_pages_link"]
    return values


def definition_titles(session: Session, definition_ids: Iterable[str]) -> dict[str, str]:
    wanted = sorted(set(definition_ids))
    definition = CareFlowDefinitionRow
    titles: dict[str, str] = {}
    for part in chunks(wanted):
        query = select(definition.id, definition.title).where(definition.id.in_(part))
        titles.update((id_, title) for id_, title in session.execute(query))
    return titles


def _last_of_each(resources: Iterable[Resource]) -> dict[str, Resource]:
    latest: dict[str, Resource] = {}
    for resource in resources:
        latest[str(resource["id"])] = resource
    return latest


def ids_by_remote(session: Session, column: Any, key: Any, values: Iterable[str]) -> dict[str, int]:
    """KEY (a server id column) → COLUMN for the rows whose KEY is one of VALUES."""
    found: dict[str, int] = {}
    for part in chunks(sorted(set(values))):
        found.update((k, v) for k, v in session.execute(select(key, column).where(key.in_(part))))
    return found


def apply_care_flows(session: Session, resources: Sequence[Resource]) -> dict[str, int]:
    """Create or update the cached care flows RESOURCES describe. Returns server id → cache id
    of every care flow applied."""
    latest = _last_of_each(resources)
    flow = CareFlowRow
    columns = [flow.id, flow.remote_id, *(getattr(flow, n) for n in FLOW_STATE)]
    cached: dict[str, dict[str, Any]] = {}
    for part in chunks(sorted(latest)):
        for row in session.execute(select(*columns).where(flow.remote_id.in_(part))):
            cached[row.remote_id] = row._asdict()
    new = {rid: r for rid, r in latest.items() if rid not in cached}
    patients = ids_by_remote(
        session, PatientRow.id, PatientRow.remote_id, (str(r.get("patient_id")) for r in new.values())
    )
    untitled = [c["definition_id"] for c in cached.values() if c["title"] == c["definition_id"]]
    titles = definition_titles(session, [*untitled, *(str(r.get("definition_id")) for r in new.values())])

    changes = [
        {"id": current["id"], **care_flow_values(latest[rid], current, titles.get)}
        for rid, current in cached.items()
    ]
    rows = []
    for resource in new.values():
        patient_id = patients.get(str(resource.get("patient_id")))
        if patient_id is None:
            continue
        definition_id = str(resource.get("definition_id"))
        started = naive_utc(resource.get("started_at")) or utcnow()
        current = {
            "title": definition_id,  # replaced by the definition's title when it is cached
            "definition_id": definition_id,
            "status": str(resource.get("status")),
            "definition_version": None,
        }
        rows.append(
            {
                "uid": str(uuid.uuid4()),
                "patient_id": patient_id,
                "definition_id": definition_id,
                "baseline": dict(resource.get("data_points") or {}),
                "static_link_url": None,
                "created_at": started,
                **care_flow_values(resource, current, titles.get),
            }
        )
    applied = {rid: current["id"] for rid, current in cached.items()}
    if changes:
        session.execute(update(CareFlowRow), changes)
    if rows:
        inserted = session.execute(insert(CareFlowRow).returning(CareFlowRow.remote_id, CareFlowRow.id), rows)
        applied.update((remote_id, id_) for remote_id, id_ in inserted if remote_id is not None)
    return applied


QUEUED_HERE = "queued"  # ActivityRow.pending: completed on this workstation, not yet sent
_CONTENT_KEYS = ("form", "body", "items")


def usernames_of(session: Session, actors: Iterable[Any]) -> dict[str, str]:
    """Backend actors ("user:<server id>") → the local username, for the users of this workstation."""
    server_ids = {a.removeprefix("user:") for a in actors if isinstance(a, str) and a.startswith("user:")}
    found: dict[str, str] = {}
    for part in chunks(sorted(server_ids)):
        query = select(UserRow.remote_id, UserRow.username).where(UserRow.remote_id.in_(part))
        found.update((f"user:{remote_id}", username) for remote_id, username in session.execute(query))
    return found


def who(actor: Any, usernames: Mapping[str, str]) -> str | None:
    return usernames.get(actor, actor[:100]) if isinstance(actor, str) else None


def _activity_values(activity_id: str, resource: Resource, usernames: Mapping[str, str]) -> dict[str, Any]:
    content = {k: resource[k] for k in _CONTENT_KEYS if resource.get(k) is not None}
    return {
        "id": activity_id,
        "title": text_of(resource.get("title"))[:200],
        "kind": str(resource.get("type") or ""),
        "stakeholder": str(resource.get("stakeholder") or ""),
        "status": str(resource.get("status") or ""),
        "updated_at": naive_utc(resource.get("updated_at")) or utcnow(),
        # What the work list and the timeline show (issue 16).
        "activity_key": resource.get("activity_id"),
        "step_id": resource.get("step_id"),
        "step_title": text_of(resource.get("step_title"))[:200] or None,
        "opened_at": naive_utc(resource.get("created_at")),
        "due_at": naive_utc(resource.get("due_at")),
        "completed_at": naive_utc(resource.get("completed_at")),
        "completed_by": who(resource.get("completed_by"), usernames),
        "content": content or None,
        "answers": resource.get("answers"),
        "pending": None,
    }


def apply_activities(session: Session, resources: Sequence[Resource]) -> int:
    """Create or update the cached activities RESOURCES describe; returns how many applied.

    Like a patient with unsent edits, an activity completed here and still in the outbox keeps
    its local state while the backend still has it open; the backend's "done" settles it."""
    latest = _last_of_each(resources)
    flows = ids_by_remote(
        session, CareFlowRow.id, CareFlowRow.remote_id, (str(r.get("care_flow_id")) for r in latest.values())
    )
    existing: dict[str, str | None] = {}
    for part in chunks(sorted(latest)):
        query = select(ActivityRow.id, ActivityRow.pending).where(ActivityRow.id.in_(part))
        existing.update((id_, pending) for id_, pending in session.execute(query))
    usernames = usernames_of(session, (r.get("completed_by") for r in latest.values()))
    changes, rows = [], []
    for activity_id, resource in latest.items():
        care_flow_id = flows.get(str(resource.get("care_flow_id")))
        if care_flow_id is None:
            continue
        if existing.get(activity_id) == QUEUED_HERE and resource.get("status") == "active":
            continue  # our completion is on its way: the backend has not seen it yet
        values = _activity_values(activity_id, resource, usernames)
        if activity_id in existing:
            changes.append(values)  # an activity stays with the care flow it was made in
        else:
            rows.append({**values, "care_flow_id": care_flow_id})
    if changes:
        session.execute(update(ActivityRow), changes)
    if rows:
        session.execute(insert(ActivityRow), rows)
    return len(changes) + len(rows)
