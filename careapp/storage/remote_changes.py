"""The backend's view of things written into the cache: change-feed resources, full resyncs, and
the answers to pushed changes (server ids, care flow status).

Nothing here queues an outbox row: these are the backend's own changes coming back, and echoing
them would loop. Every function works in the caller's session so a page of changes and its
cursor commit together.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import Session

from careapp.domain.clock import utcnow
from careapp.storage.models import (
    ActivityRow,
    CareFlowDefinitionRow,
    CareFlowRow,
    PatientRow,
    UserRow,
)
from careapp.storage.remote_care_flows import (
    FLOW_STATE,
    apply_activities,
    apply_care_flows,
    care_flow_values,
    definition_titles,
    text_of,
)
from careapp.storage.remote_patients import apply_patients

# Patients, care flows and activities come in pages: see remote_patients, remote_care_flows.
__all__ = ["apply_activities", "apply_care_flows", "apply_patients"]

log = logging.getLogger(__name__)


# -- patients ----------------------------------------------------------------------------------


def patient_by_remote_id(session: Session, remote_id: str) -> PatientRow | None:
    return session.scalar(select(PatientRow).where(PatientRow.remote_id == remote_id))


def unknown_patient_ids(session: Session, remote_ids: Iterable[str]) -> set[str]:
    wanted = set(remote_ids)
    if not wanted:
        return set()
    known = set(session.scalars(select(PatientRow.remote_id).where(PatientRow.remote_id.in_(wanted))))
    return wanted - known


# -- users and definitions ---------------------------------------------------------------------


def map_user(session: Session, resource: dict[str, Any]) -> None:
    """Remember the server id of a local user. Users made elsewhere get no local account: they
    would have no password here."""
    row = session.scalar(select(UserRow).where(UserRow.username == str(resource.get("username"))))
    if row is not None:
        row.remote_id = str(resource["id"])


def replace_definitions(session: Session, items: list[dict[str, Any]]) -> bool:
    """Make the cached list of published definitions the backend's. True when anything changed."""
    now = utcnow()
    wanted = {str(i["id"]): i for i in items if i.get("live_version") is not None}
    changed = False
    for row in session.scalars(select(CareFlowDefinitionRow)):
        item = wanted.pop(row.id, None)
        if item is None:
            session.delete(row)
            changed = True
            continue
        title, version, points = text_of(item.get("title"))[:200], int(item["live_version"]), item["baseline"]
        if (row.title, row.version, row.data_points) != (title, version, points):
            row.title, row.version, row.data_points = title, version, points
            changed = True
        row.synced_at = now
    for item in wanted.values():
        session.add(
            CareFlowDefinitionRow(
                id=str(item["id"]),
                title=text_of(item.get("title"))[:200],
                version=int(item["live_version"]),
                data_points=list(item.get("baseline") or []),
                synced_at=now,
            )
        )
        changed = True
    return changed


def forget_server_view(session: Session) -> None:
    """Before a full resync: activities are rebuilt from the backend's lists."""
    session.execute(delete(ActivityRow))


# -- answers to pushed changes -----------------------------------------------------------------


def map_answers(session: Session, answers: Sequence[tuple[str, dict[str, Any], dict[str, Any]]]) -> None:
    """Write the backend's answers to pushed changes back: server ids of patients and users, id
    and status of started care flows. ANSWERS are (kind, the outbox row's payload, the answer's
    body), oldest first, for a whole batch: the rows they name are read in one query per table
    and written in one statement per table, not one of each per change."""
    patients = [
        (payload.get("uid"), str(body["patient"]["id"]))
        for kind, payload, body in answers
        if kind == "patient.upsert" and body.get("patient")
    ]
    flows = [
        (payload.get("uid"), body)
        for kind, payload, body in answers
        if kind == "care_flow.start" and body.get("id")
    ]
    users = [
        {"name": payload.get("username"), "server_id": str(body["id"])}
        for kind, payload, body in answers
        if kind.startswith("user.") and body.get("id")
    ]
    if patients:
        _map_patients(session, patients)
    if flows:
        _map_care_flows(session, flows)
    if users:
        session.connection().execute(
            update(UserRow)
            .where(UserRow.username == bindparam("name"))
            .values(remote_id=bindparam("server_id")),
            users,
        )


class _ServerIds:
    """Which cached row holds which server id, kept up to date while the answers of a batch are
    applied one after the other. A server id another row already holds is left with that row."""

    def __init__(self, rows: Iterable[tuple[int, str | None]]) -> None:
        self.of: dict[int, str | None] = {}
        self.holder: dict[str, int] = {}
        for id_, remote_id in rows:
            self.of[id_] = remote_id
            if remote_id is not None:
                self.holder[remote_id] = id_

    def take(self, id_: int, remote_id: str) -> bool:
        holder = self.holder.get(remote_id)
        if holder is not None and holder != id_:
            return False
        previous = self.of.get(id_)
        if previous is not None:
            self.holder.pop(previous, None)
        self.of[id_] = remote_id
        self.holder[remote_id] = id_
        return True


def _map_patients(session: Session, answers: list[tuple[Any, str]]) -> None:
    patient = PatientRow
    uids = {uid for uid, _remote_id in answers if uid}
    local = session.execute(select(patient.uid, patient.id, patient.remote_id).where(patient.uid.in_(uids)))
    ids = {uid: (id_, remote_id) for uid, id_, remote_id in local}
    wanted = {remote_id for _uid, remote_id in answers}
    held = session.execute(select(patient.id, patient.remote_id).where(patient.remote_id.in_(wanted)))
    server_ids = _ServerIds([*ids.values(), *((id_, remote_id) for id_, remote_id in held)])
    changes = []
    for uid, remote_id in answers:
        id_, _remote_id = ids.get(uid, (None, None))
        if id_ is None or server_ids.of[id_] == remote_id:
            continue
        if server_ids.take(id_, remote_id):
            changes.append({"id": id_, "remote_id": remote_id})
        else:
            log.warning(
                "server patient %s already cached as another patient; ids left as they are", remote_id
            )
    if changes:
        session.execute(update(PatientRow), changes)


def _map_care_flows(session: Session, answers: list[tuple[Any, dict[str, Any]]]) -> None:
    flow = CareFlowRow
    uids = {uid for uid, _body in answers if uid}
    columns = [getattr(flow, name) for name in ("id", "uid", "remote_id", *FLOW_STATE)]
    local = {r.uid: r._asdict() for r in session.execute(select(*columns).where(flow.uid.in_(uids)))}
    wanted = {str(body["id"]) for _uid, body in answers}
    held = session.execute(select(flow.id, flow.remote_id).where(flow.remote_id.in_(wanted)))
    server_ids = _ServerIds(
        [*((r["id"], r["remote_id"]) for r in local.values()), *((id_, remote_id) for id_, remote_id in held)]
    )
    untitled = {r["definition_id"] for r in local.values() if r["title"] == r["definition_id"]}
    titles = definition_titles(session, untitled)
    changes = []
    for uid, body in answers:
        current = local.get(uid)
        if current is None:
            continue
        if not server_ids.take(current["id"], str(body["id"])):
            log.warning("server care flow %s already cached; ids left as they are", body["id"])
            continue
        values = care_flow_values(body, current, titles.get)
        current.update(values)
        changes.append({"id": current["id"], **values})
    if changes:
        session.execute(update(CareFlowRow), changes)
