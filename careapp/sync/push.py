"""Push: the outbox, oldest first, to POST /v1/batch.

- One Idempotency-Key per outbox row (made when the row was written), so a batch whose answer
  was lost is simply sent again: the backend replays what it already did.
- A retryable failure (offline, timeout, 5xx, 429, still in flight) ends the pass: the rows stay
  queued with attempts + 1, and FIFO order is kept for the next pass.
- A refusal (4xx) parks that row as "rejected" with the problem document; later rows go on.
- A row that waits for another (a care flow start whose patient the backend has not accepted)
  stays queued and is skipped this pass.
Answers are written back (server ids, care flow status) in the transaction that deletes the row.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from careapp.backend.client import BackendClient, problem_json
from careapp.backend.errors import BackendError
from careapp.storage import remote_changes, sync_state
from careapp.storage.clinician_work import WARD_WORK_KINDS
from careapp.storage.database import CacheDatabase
from careapp.sync import ward_work
from careapp.sync.operations import WAITS_FOR_PATIENT, Blocked, Operation, Refused, build_batch

log = logging.getLogger(__name__)
DEFAULT_BATCH = 200  # the most the backend takes in one POST /v1/batch
NO_ANSWER = "The backend did not answer for this change."
STILL_WORKING = "The backend is still working on this change."


@dataclass
class PushResult:
    acknowledged: int = 0
    rejected: int = 0
    blocked: int = 0
    in_flight: int = 0
    error: BackendError | None = None
    complete: bool = False  # every queued row was looked at; nothing is left uncertain
    contacted: bool = False  # the backend answered at least once
    kinds: dict[str, int] = field(default_factory=dict)


class Pusher:
    def __init__(self, db: CacheDatabase, client: BackendClient, *, batch_size: int = DEFAULT_BATCH) -> None:
        self._db = db
        self._client = client
        self._batch_size = batch_size

    def push(
        self, *, fallback_user: str | None, should_stop: Callable[[], bool] = lambda: False
    ) -> PushResult:
        result = PushResult()
        after_id = 0
        while not should_stop():
            operations, waiting, refused, last_id = self._next_batch(after_id, fallback_user)
            if last_id is None:
                result.complete = result.in_flight == 0
                return result
            after_id = last_id
            if waiting or refused:
                self._park(waiting, refused)
                result.blocked += len(waiting)
                result.rejected += len(refused)
            if not operations:
                continue
            try:
                answers = self._client.push_batch([op.wire for op in operations])
            except BackendError as exc:
                result.error = exc
                with self._db.transaction() as session:
                    sync_state.note_retry(session, [op.row_id for op in operations], str(exc))
                if not exc.retryable:
                    log.warning("push refused as a whole: %s", exc)
                return result
            result.contacted = True
            self._record(operations, answers, result)
            if result.in_flight:
                return result  # keep FIFO: the next pass starts again from the oldest row
        return result

    def _next_batch(
        self, after_id: int, fallback_user: str | None
    ) -> tuple[list[Operation], list[Blocked], list[Refused], int | None]:
        operations: list[Operation] = []
        waiting: list[Blocked] = []
        refused: list[Refused] = []
        with self._db.reading() as session:
            rows = sync_state.queued_after(session, after_id, self._batch_size)
            if not rows:
                return operations, waiting, refused, None
            for built in build_batch(session, rows, fallback_user=fallback_user):
                if isinstance(built, Operation):
                    operations.append(built)
                elif isinstance(built, Blocked):
                    waiting.append(built)
                else:
                    refused.append(built)
            return operations, waiting, refused, rows[-1].id

    def _park(self, waiting: list[Blocked], refused: list[Refused]) -> None:
        reasons: dict[str, list[int]] = {}
        for item in waiting:
            reasons.setdefault(item.reason, []).append(item.row_id)
        with self._db.transaction() as session:
            for reason, ids in reasons.items():
                sync_state.note_waiting(session, ids, reason)
            sync_state.reject(
                session, {item.row_id: json.dumps(item.problem, ensure_ascii=False) for item in refused}
            )

    def _record(self, operations: list[Operation], answers: list[dict[str, Any]], result: PushResult) -> None:
        by_key = {a.get("idempotency_key"): a for a in answers}
        acknowledged: list[int] = []
        mapped: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
        retries: dict[str, list[int]] = {}
        waiting: list[int] = []
        refused: dict[int, str] = {}
        refused_patients: set[str] = set()
        with self._db.transaction() as session:
            queued = sync_state.still_queued(session, [op.row_id for op in operations])
            for op in operations:
                if op.row_id not in queued:
                    continue  # an admin discarded it meanwhile; the backend's answer is moot
                answer = by_key.get(op.wire["idempotency_key"])
                if answer is None:
                    result.in_flight += 1
                    retries.setdefault(NO_ANSWER, []).append(op.row_id)
                    continue
                status = int(answer["status"])
                body = answer.get("body") or {}
                if 200 <= status < 300:
                    mapped.append((op.kind, op.payload, body))
                    acknowledged.append(op.row_id)
                    result.acknowledged += 1
                    result.kinds[op.kind] = result.kinds.get(op.kind, 0) + 1
                elif status == 409 and str(body.get("type", "")).endswith("idempotency-key-in-flight"):
                    result.in_flight += 1
                    retries.setdefault(STILL_WORKING, []).append(op.row_id)
                elif op.kind == "care_flow.start" and op.patient_uid in refused_patients:
                    # Refused only because its patient was: it waits for the patient's fix.
                    waiting.append(op.row_id)
                    result.blocked += 1
                else:
                    refused[op.row_id] = problem_json(body)
                    result.rejected += 1
                    if op.kind == "patient.upsert" and op.patient_uid:
                        refused_patients.add(op.patient_uid)
            remote_changes.map_answers(session, mapped)
            ward_work.settle_answers(
                session,
                [(kind, body) for kind, _payload, body in mapped if kind in WARD_WORK_KINDS],
                [
                    (op.kind, op.payload)
                    for op in operations
                    if op.row_id in refused and op.kind in WARD_WORK_KINDS
                ],
            )
            for message, ids in retries.items():
                sync_state.note_retry(session, ids, message)
            sync_state.note_waiting(session, waiting, WAITS_FOR_PATIENT)
            sync_state.reject(session, refused)
            sync_state.acknowledge_all(session, acknowledged)
