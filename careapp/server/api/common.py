"""What the routers share: documented problem responses, paging, fingerprints, and the one
dependency of the hot creating operations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Query, Request

from careapp.server import idempotency
from careapp.server.auth import Access, acting_user_parameter, call_on_loop
from careapp.server.context import Call
from careapp.server.idempotency import request_fingerprint
from careapp.server.problems import responses

# Every authenticated operation may answer 401/403; with parameters or a body also 422,
# with a JSON body 400 for malformed JSON.
AUTHED = responses(401, 403, 422)
WITH_BODY = responses(400, 401, 403, 413, 422)
NOT_FOUND = responses(404)
CONFLICT = responses(409)

Limit = Annotated[int, Query(ge=1, le=500, description="Page size.")]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
After = Annotated[
    str | None,
    Query(
        max_length=36,
        description="Keyset paging: only items whose id sorts after this one, in id order (give '' "
        "for the first page, then the last id of each page). Items changed meanwhile neither move "
        "nor go missing, unlike offset paging.",
    ),
]
Fingerprint = Annotated[str, Depends(request_fingerprint)]


@dataclass(frozen=True, slots=True)
class Creating:
    """What a hot creating operation needs besides its body: the caller, its Idempotency-Key and
    the request's fingerprint."""

    call: Call
    key: str | None  # Idempotency-Key
    fingerprint: str


async def _creating(request: Request) -> Creating:
    """The hot path's one dependency, on the event loop (care flow starts, hosted pages sessions).
    As separate FastAPI dependencies and header parameters (a sync caller among them, so a
    thread-pool hop) they cost a fifth of the request; a cached credential costs no hop at all.
    The operation documents what it reads with ``openapi_extra=CREATING_DOCUMENTED``."""
    call = await call_on_loop(request, Access.PATIENT_DATA)
    return Creating(call, idempotency.key_of(request), await request_fingerprint(request))


# What the dependencies ``creating`` stands for would have put in the OpenAPI document.
CREATING_DOCUMENTED: dict[str, Any] = {
    "security": [{"HTTPBearer": []}],
    "parameters": [idempotency.key_parameter(), acting_user_parameter()],
}

# Both hot operations touch patient data.
PatientDataCreating = Annotated[Creating, Depends(_creating)]
