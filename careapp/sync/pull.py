"""Pull: the change feed into the cache, each page and its cursor in one transaction.

A 410 Gone (the cursor is older than the backend keeps) triggers a full resynchronisation from
the list endpoints, applied together with the cursor the backend named in the 410, so changes
made while the lists were read are read again from the feed afterwards.
Network calls happen before a write transaction opens: the cache's write lock is never held
while waiting for the network.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from careapp.backend.client import BackendClient
from careapp.backend.errors import Gone, Rejected
from careapp.backend.notifications import delivery_log
from careapp.domain.clock import Clock, utcnow
from careapp.domain.identifiers import DEMO_IDENTIFIER_KINDS, IdentifierKinds
from careapp.storage import (
    clinician_work,
    remote_changes,
    remote_notifications,
    remote_ward_work,
    sync_state,
)
from careapp.storage.database import CacheDatabase

log = logging.getLogger(__name__)
DEFAULT_PAGE = 500
NOTIFICATION_FAILED = "notification_failed"  # a care flow's change: a message failed for good


@dataclass
class PullResult:
    changes: int = 0
    pages: int = 0
    resynced: bool = False
    definitions_changed: bool = False


class Puller:
    def __init__(
        self,
        db: CacheDatabase,
        client: BackendClient,
        *,
        page_size: int = DEFAULT_PAGE,
        clock: Clock = utcnow,
        kinds: IdentifierKinds = DEMO_IDENTIFIER_KINDS,
    ) -> None:
        self._db = db
        self._kinds = kinds  # which shared identifiers make a pulled patient a cached one
        self._client = client
        self._page_size = page_size
        self._clock = clock

    def refresh_definitions(self) -> bool:
        """The published care flow definitions, for the enroll dialog's list."""
        items = self._client.care_flow_definitions()
        with self._db.transaction() as session:
            return remote_changes.replace_definitions(session, items)

    def pull(self, *, acting_user: str, should_stop: Callable[[], bool] = lambda: False) -> PullResult:
        result = PullResult()
        while not should_stop():
            with self._db.reading() as session:
                since = sync_state.cursor(session)
            try:
                page = self._client.changes(since, acting_user=acting_user, limit=self._page_size)
            except Gone as exc:
                log.info("change-feed cursor expired; full resync")
                self.full_resync(
                    acting_user=acting_user, cursor=str(exc.problem.get("current_cursor") or "0")
                )
                result.resynced = True
                continue
            changes = page.get("changes") or []
            fetched = self._fetch_missing_patients(changes, acting_user)
            logs = self._fetch_delivery_logs(changes, acting_user)
            with self._db.transaction() as session:
                if sync_state.cursor(session) != since:
                    continue  # another pull got here first; read again from its cursor
                self._apply(session, changes, fetched)
                remote_notifications.apply_delivery_logs(session, logs)
                sync_state.put(session, sync_state.CURSOR, str(page["next_cursor"]))
                sync_state.put_time(session, sync_state.LAST_PULL, self._clock())
            result.changes += len(changes)
            result.pages += 1
            if not page.get("has_more"):
                break
        return result

    def full_resync(self, *, acting_user: str, cursor: str) -> None:
        """Rebuild the backend's part of the cache from its lists, then continue from CURSOR."""
        # Whole lists in id order, a page per request (not a request per patient).
        page = self._page_size
        patients = list(self._client.patients(acting_user=acting_user, page_size=page))
        flows = list(self._client.care_flows(acting_user=acting_user, page_size=page))
        activities = list(self._client.activities(acting_user=acting_user, page_size=page))
        with self._db.transaction() as session:
            keep = sync_state.pending_patient_uids(session)
            remote_changes.forget_server_view(session)
            remote_changes.apply_patients(session, patients, keep_demographics=keep, kinds=self._kinds)
            stopping = clinician_work.stops_queued(session)
            applied = remote_changes.apply_care_flows(session, flows)
            remote_ward_work.apply_care_flows_work(session, flows, applied)
            remote_changes.apply_activities(session, activities)
            clinician_work.keep_queued_stops(session, stopping)
            sync_state.put(session, sync_state.CURSOR, cursor)
            sync_state.put_time(session, sync_state.LAST_PULL, self._clock())

    def _fetch_missing_patients(
        self, changes: list[dict[str, Any]], acting_user: str
    ) -> list[dict[str, Any]]:
        """Patients a page's care flows or activities refer to but neither the page nor the cache
        holds (their own change was pruned or came before our first cursor)."""
        in_page = {str(c["resource_id"]) for c in changes if c.get("resource_type") == "patient"}
        wanted = {
            str(c["resource"]["patient_id"])
            for c in changes
            if c.get("resource_type") in ("care_flow", "activity") and c.get("resource")
        } - in_page
        with self._db.reading() as session:
            missing = remote_changes.unknown_patient_ids(session, wanted)
        return [self._client.patient(pid, acting_user=acting_user) for pid in sorted(missing)]

    def _fetch_delivery_logs(
        self, changes: list[dict[str, Any]], acting_user: str
    ) -> dict[str, list[dict[str, Any]]]:
        """The delivery log of each care flow the page says a message failed for (the change
        names only the care flow: which channel failed and why is in its log)."""
        failed = sorted(
            {
                str(c["resource_id"])
                for c in changes
                if c.get("resource_type") == "care_flow" and c.get("action") == NOTIFICATION_FAILED
            }
        )
        logs: dict[str, list[dict[str, Any]]] = {}
        for remote_id in failed:
            try:
                logs[remote_id] = delivery_log(self._client, remote_id, acting_user=acting_user)
            except Rejected as exc:
                if exc.status != 404:
                    raise
                log.info("delivery log of a care flow the backend no longer has; skipped")
        return logs

    def _apply(self, session: Any, changes: list[dict[str, Any]], fetched: list[dict[str, Any]]) -> None:
        keep = sync_state.pending_patient_uids(session)
        # Patients first, all in one go: the page's care flows and activities refer to them.
        in_page = [
            c["resource"] for c in changes if c.get("resource_type") == "patient" and c.get("resource")
        ]
        remote_changes.apply_patients(
            session, [*fetched, *in_page], keep_demographics=keep, kinds=self._kinds
        )
        # Then each kind a page at a time: care flows before the activities that name them. A
        # resource is the current state (None once gone: a later change or a resync says what
        # is left), so applying kinds in turn gives what applying them in feed order gives.
        current: dict[str, list[dict[str, Any]]] = {"care_flow": [], "activity": [], "user": []}
        for change in changes:
            resource = change.get("resource")
            if resource is not None and change.get("resource_type") in current:
                current[change["resource_type"]].append(resource)
        stopping = clinician_work.stops_queued(session)
        applied = remote_changes.apply_care_flows(session, current["care_flow"])
        remote_ward_work.apply_care_flows_work(session, current["care_flow"], applied)
        remote_changes.apply_activities(session, current["activity"])
        clinician_work.keep_queued_stops(session, stopping)
        for user in current["user"]:
            remote_changes.map_user(session, user)
