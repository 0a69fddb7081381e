"""Idempotency-Key for creating requests: a replay gets the first response back.

The key is claimed in its own short transaction (so a concurrent duplicate sees it at once and
gets 409), the work and the stored response then commit together. A replay is served from the
database, so it survives restarts and works across workers. Stored responses may hold PHI or
a freshly minted credential, so they are sealed (AES-GCM) at rest.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Header, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import StringConstraints, TypeAdapter
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from careapp.server.context import Call, Services, Tx
from careapp.server.headers import header_value
from careapp.server.models import IdempotencyKeyRow
from careapp.server.problems import ProblemError

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        pattern=r"^[\x21-\x7e]+$",
        description="Unique per request (e.g. a UUID). A replay returns the first response; "
        "the same key with another body gets 422; a request still in flight gets 409.",
    ),
]

REPLAY_HEADER = "Idempotent-Replayed"
_KEY = TypeAdapter(Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=r"^[\x21-\x7e]+$")])


def key_of(request: Request) -> str | None:
    """The Idempotency-Key header, validated as the declared IdempotencyKey parameter is, for a
    hot path that reads it in its own dependency (see careapp.server.auth.call_on_loop)."""
    return header_value(request, "Idempotency-Key", _KEY)


def key_parameter() -> dict[str, object]:
    """Idempotency-Key as the OpenAPI document states it, for an operation that reads it itself."""
    description = IdempotencyKey.__metadata__[0].description  # type: ignore[attr-defined]  # an Annotated alias keeps its Header in __metadata__
    string = {"type": "string", "minLength": 1, "maxLength": 255, "pattern": r"^[\x21-\x7e]+$"}
    return {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "schema": {
            "anyOf": [string, {"type": "null"}],
            "description": description,
            "title": "Idempotency-Key",
        },
        "description": description,
    }


def _purpose(owner: str, key: str) -> str:
    # Bound to the (owner, key) pair, which is unique, rather than to the row id: a writer can seal
    # the response before the row is inserted, so a batch needs no flush per operation for an id.
    return f"idempotency:{owner}\n{key}"


def seal_response(services: Services, owner: str, key: str, content: Any, headers: dict[str, str]) -> str:
    stored = json.dumps({"content": content, "headers": headers}).encode()
    return services.sealer.seal(stored, _purpose(owner, key))


def open_response(services: Services, row: IdempotencyKeyRow) -> dict[str, Any]:
    """The stored {"content", "headers"} of a done key."""
    return json.loads(services.sealer.open(row.sealed_response or "", _purpose(row.owner, row.key)))


@dataclass
class Outcome:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)

    def content(self) -> Any:
        return jsonable_encoder(self.body)

    def response(self) -> JSONResponse:
        return JSONResponse(self.content(), status_code=self.status, headers=self.headers)


async def request_fingerprint(request: Request) -> str:
    """Method, path and the body as canonical JSON: whitespace and key order do not matter.

    Only a request that sends an Idempotency-Key is compared with anything, so the others get ""
    (a canonical dump and a hash are a tenth of a hosted pages session's CPU)."""
    if "idempotency-key" not in request.headers:
        return ""
    raw = await request.body()
    try:
        canonical = json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":")) if raw else ""
    except ValueError:
        canonical = raw.decode("utf-8", "replace")
    return hashlib.sha256(f"{request.method} {request.url.path}\n{canonical}".encode()).hexdigest()


def _claim(call: Call, key: str, fingerprint: str) -> int | JSONResponse:
    """Claim KEY for this request: its row id, or the response to give instead."""
    services = call.services
    owner = call.principal.owner
    now = services.clock.now()
    try:
        with services.db.transaction() as session:
            claimed = IdempotencyKeyRow(
                owner=owner, key=key, request_hash=fingerprint, state="in_flight", created_at=now
            )
            session.add(claimed)
            session.flush()
            return claimed.id
    except IntegrityError:
        pass
    with services.db.transaction() as session:
        row = session.scalar(
            select(IdempotencyKeyRow).where(IdempotencyKeyRow.owner == owner, IdempotencyKeyRow.key == key)
        )
        if row is None:  # released between our insert and this read: the client may retry
            raise ProblemError(
                409, "idempotency-key-in-flight", "Retry: this Idempotency-Key was just released."
            )
        if row.request_hash != fingerprint:
            raise ProblemError(
                422,
                "idempotency-key-reused",
                "This Idempotency-Key was used with another request (method, path or body).",
            )
        if row.state == "done":
            body = open_response(services, row)
            return JSONResponse(
                body["content"],
                status_code=row.status_code or 200,
                headers={**body.get("headers", {}), REPLAY_HEADER: "true"},
            )
        lease_expired = row.created_at < now - services.config.idempotency_lease
        if lease_expired:
            # The first attempt died without releasing the key; take it over exactly once.
            taken = session.execute(
                update(IdempotencyKeyRow)
                .where(IdempotencyKeyRow.id == row.id, IdempotencyKeyRow.created_at == row.created_at)
                .values(created_at=now)
            )
            if taken.rowcount == 1:  # type: ignore[attr-defined]  # an UPDATE or DELETE returns a CursorResult, which execute() types as Result
                return row.id
        raise ProblemError(
            409, "idempotency-key-in-flight", "A request with this Idempotency-Key is still being processed."
        )


def _release(call: Call, row_id: int) -> None:
    with call.services.db.transaction() as session:
        session.execute(delete(IdempotencyKeyRow).where(IdempotencyKeyRow.id == row_id))


def run(call: Call, key: str | None, fingerprint: str, work: Callable[[Tx], Outcome]) -> JSONResponse:
    """Run WORK once per KEY; failures release the key so the client can retry."""
    if key is None:
        with call.tx() as tx:
            outcome = work(tx)
        return outcome.response()
    claimed = _claim(call, key, fingerprint)
    if isinstance(claimed, JSONResponse):
        return claimed
    try:
        with call.tx() as tx:
            outcome = work(tx)
            owner = call.principal.owner
            sealed = seal_response(call.services, owner, key, outcome.content(), outcome.headers)
            tx.session.execute(
                update(IdempotencyKeyRow)
                .where(IdempotencyKeyRow.id == claimed)
                .values(
                    state="done",
                    status_code=outcome.status,
                    sealed_response=sealed,
                    completed_at=tx.now,
                )
            )
    except BaseException:
        _release(call, claimed)
        raise
    return outcome.response()


def prune(call_or_tx: Tx) -> int:
    """Forget keys older than the retention window."""
    cutoff = call_or_tx.now - call_or_tx.config.idempotency_retention
    result = call_or_tx.session.execute(
        delete(IdempotencyKeyRow).where(IdempotencyKeyRow.created_at < cutoff)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]  # an UPDATE or DELETE returns a CursorResult, which execute() types as Result
