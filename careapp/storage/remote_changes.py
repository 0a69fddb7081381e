"""The backend's view of things written into the cache: change-feed resources, full resyncs, and
the answers to pushed changes (server ids, care flow status).

Nothing here queues an outbox row: these are the backend's own changes coming back, and echoing
them would loop. Every function works in the caller's session so a page of changes and its
cursor commit together.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from careapp.domain.clock import utcnow
from careapp.domain.identifiers import Identifier, InvalidIdentifier
from careapp.domain.patient import Sex
from careapp.storage.models import (
    ActivityRow,
    CareFlowDefinitionRow,
    CareFlowRow,
    PatientIdentifierRow,
    PatientRow,
    UserRow,
)
from careapp.storage.patients import search_name
from careapp.storage.search import index_patient

log = logging.getLogger(__name__)
_SEXES = {s.value for s in Sex}


def text_of(value: Any, language: str = "en") -> str:
    """A display string from a plain or localized ({"en": …, "nl": …}) backend text."""
    if isinstance(value, dict):
        return str(value.get(language) or next(iter(value.values()), ""))
    return "" if value is None else str(value)


def naive_utc(value: str | None) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def _identifiers(resource: dict[str, Any]) -> list[Identifier]:
    out = []
    for item in resource.get("identifiers") or ():
        try:
            out.append(Identifier(item["system"], item["value"]))
        except (InvalidIdentifier, KeyError, TypeError):
            continue
    return out


# -- patients ----------------------------------------------------------------------------------


def patient_by_remote_id(session: Session, remote_id: str) -> PatientRow | None:
    return session.scalar(select(PatientRow).where(PatientRow.remote_id == remote_id))


def unknown_patient_ids(session: Session, remote_ids: Iterable[str]) -> set[str]:
    wanted = set(remote_ids)
    if not wanted:
        return set()
    known = set(session.scalars(select(PatientRow.remote_id).where(PatientRow.remote_id.in_(wanted))))
    return wanted - known


def _owner_of(session: Session, ident: Identifier) -> PatientRow | None:
    return session.scalar(
        select(PatientRow)
        .join(PatientIdentifierRow)
        .where(PatientIdentifierRow.system == ident.system, PatientIdentifierRow.value == ident.value)
    )


def apply_patient(
    session: Session,
    resource: dict[str, Any],
    *,
    keep_demographics: set[str] = frozenset(),  # type: ignore[assignment]
) -> PatientRow | None:
    """Create or update the cached patient the backend describes (matched by server id, then
    by identifier). Patients whose uid is in KEEP_DEMOGRAPHICS have a local edit on its way to
    the backend: their demographics are left alone so the newer local version is not undone."""
    remote_id = str(resource["id"])
    identifiers = _identifiers(resource)
    row = patient_by_remote_id(session, remote_id)
    if row is None:
        owners = {o.id: o for o in (_owner_of(session, i) for i in identifiers) if o is not None}
        candidates = [o for o in owners.values() if o.remote_id in (None, remote_id)]
        if len(owners) > 1 or (owners and not candidates):
            # The backend joins what the cache keeps apart: leave it for a person to sort out.
            log.warning("patient %s matches several cached patients; not applied", remote_id)
            return None
        row = candidates[0] if candidates else None
    now = utcnow()
    created = row is None
    if row is None:
        row = PatientRow(uid=str(uuid.uuid4()), created_at=naive_utc(resource.get("created_at")) or now)
        session.add(row)
    if created or row.uid not in keep_demographics:
        row.family_name = str(resource.get("family_name") or "")
        row.given_name = str(resource.get("given_name") or "")
        birth = resource.get("birth_date")
        row.birth_date = date.fromisoformat(birth) if birth else None
        sex = resource.get("sex") or "unknown"
        row.sex = sex if sex in _SEXES else "unknown"
        row.phone = resource.get("phone")
        row.email = resource.get("email")
        row.address = resource.get("address")
        row.language = resource.get("language")
        row.search_name = search_name(row.family_name, row.given_name)
        row.updated_at = naive_utc(resource.get("updated_at")) or now
    row.remote_id = remote_id
    session.flush()
    held = {(i.system, i.value) for i in row.identifiers}
    for ident in identifiers:
        if (ident.system, ident.value) in held:
            continue
        owner = _owner_of(session, ident)
        if owner is None:
            row.identifiers.append(PatientIdentifierRow(system=ident.system, value=ident.value))
    session.flush()
    if session.info.get("has_fts"):
        index_patient(session, row.id, row.search_name, [i.value for i in row.identifiers])
    return row


def map_pushed_patient(session: Session, uid: str, resource: dict[str, Any]) -> None:
    """The backend accepted the patient with local UID: remember its server id."""
    row = session.scalar(select(PatientRow).where(PatientRow.uid == uid))
    remote_id = str(resource["id"])
    if row is None or row.remote_id == remote_id:
        return
    holder = patient_by_remote_id(session, remote_id)
    if holder is not None and holder.id != row.id:
        log.warning("server patient %s already cached as another patient; ids left as they are", remote_id)
        return
    row.remote_id = remote_id


# -- care flows and activities -----------------------------------------------------------------


def care_flow_by_remote_id(session: Session, remote_id: str) -> CareFlowRow | None:
    return session.scalar(select(CareFlowRow).where(CareFlowRow.remote_id == remote_id))


def _update_care_flow(row: CareFlowRow, resource: dict[str, Any], session: Session) -> None:
    row.remote_id = str(resource["id"])
    if row.title == row.definition_id:  # queued before the definitions were synced
        definition = session.get(CareFlowDefinitionRow, row.definition_id)
        if definition is not None:
            row.title = definition.title
    row.status = str(resource.get("status") or row.status)
    if resource.get("version") is not None:
        row.definition_version = int(resource["version"])
    row.updated_at = naive_utc(resource.get("updated_at")) or utcnow()


def apply_care_flow(session: Session, resource: dict[str, Any]) -> CareFlowRow | None:
    """Create or update a care flow from the backend; None when its patient is not cached."""
    row = care_flow_by_remote_id(session, str(resource["id"]))
    if row is None:
        patient = patient_by_remote_id(session, str(resource.get("patient_id")))
        if patient is None:
            return None
        definition = session.get(CareFlowDefinitionRow, resource.get("definition_id"))
        started = naive_utc(resource.get("started_at")) or utcnow()
        row = CareFlowRow(
            uid=str(uuid.uuid4()),
            patient_id=patient.id,
            definition_id=str(resource.get("definition_id")),
            title=definition.title if definition else str(resource.get("definition_id")),
            status=str(resource.get("status")),
            baseline=dict(resource.get("data_points") or {}),
            created_at=started,
            updated_at=started,
        )
        session.add(row)
    _update_care_flow(row, resource, session)
    session.flush()
    return row


def map_started_care_flow(session: Session, uid: str, resource: dict[str, Any]) -> None:
    """The backend started the care flow queued locally as UID: its id and status replace
    "queued"."""
    row = session.scalar(select(CareFlowRow).where(CareFlowRow.uid == uid))
    if row is None:
        return
    holder = care_flow_by_remote_id(session, str(resource["id"]))
    if holder is not None and holder.id != row.id:
        log.warning("server care flow %s already cached; ids left as they are", resource["id"])
        return
    _update_care_flow(row, resource, session)


def apply_activity(session: Session, resource: dict[str, Any]) -> ActivityRow | None:
    flow = care_flow_by_remote_id(session, str(resource.get("care_flow_id")))
    if flow is None:
        return None
    row = session.get(ActivityRow, str(resource["id"]))
    if row is None:
        row = ActivityRow(id=str(resource["id"]), care_flow_id=flow.id)
        session.add(row)
    row.title = text_of(resource.get("title"))[:200]
    row.kind = str(resource.get("type") or "")
    row.stakeholder = str(resource.get("stakeholder") or "")
    row.status = str(resource.get("status") or "")
    row.updated_at = naive_utc(resource.get("updated_at")) or utcnow()
    return row


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


class AnswerMapper:
    """Writes the backend's answers to pushed changes back, for a whole batch at once: the rows
    they name are loaded in three queries, not three per change."""

    def __init__(self, session: Session, payloads: Iterable[dict[str, Any]]) -> None:
        payloads = list(payloads)
        self._session = session
        patient_uids = {p["uid"] for p in payloads if "family_name" in p and p.get("uid")}
        flow_uids = {p["uid"] for p in payloads if "patient_uid" in p and p.get("uid")}
        usernames = {p["username"] for p in payloads if p.get("username")}
        self._patients = _by(session, PatientRow, PatientRow.uid, patient_uids)
        self._flows = _by(session, CareFlowRow, CareFlowRow.uid, flow_uids)
        self._users = _by(session, UserRow, UserRow.username, usernames)

    def map(self, kind: str, payload: dict[str, Any], body: dict[str, Any]) -> None:
        if kind == "patient.upsert" and body.get("patient"):
            row = self._patients.get(payload.get("uid"))
            remote_id = str(body["patient"]["id"])
            if row is not None and row.remote_id != remote_id:
                holder = patient_by_remote_id(self._session, remote_id)
                if holder is None or holder.id == row.id:
                    row.remote_id = remote_id
                else:
                    log.warning("server patient %s already cached as another patient", remote_id)
        elif kind == "care_flow.start" and body.get("id"):
            flow = self._flows.get(payload.get("uid"))
            if flow is not None:
                _update_care_flow(flow, body, self._session)
        elif kind.startswith("user.") and body.get("id"):
            user = self._users.get(payload.get("username"))
            if user is not None:
                user.remote_id = str(body["id"])


def _by(session: Session, model: Any, column: Any, keys: set[str]) -> dict[str, Any]:
    if not keys:
        return {}
    return {getattr(r, column.key): r for r in session.scalars(select(model).where(column.in_(keys)))}
