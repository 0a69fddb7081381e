"""GET /v1/changes: what changed since a cursor."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from careapp.server import changes
from careapp.server.api.common import AUTHED, Limit
from careapp.server.auth import Access, caller
from careapp.server.context import Call
from careapp.server.problems import responses
from careapp.server.schemas.changes import ChangePage

router = APIRouter(tags=["changes"])


@router.get(
    "/changes",
    response_model=ChangePage,
    responses={**AUTHED, **responses(410)},
    summary="Changes after a cursor; 410 Gone when the cursor predates the retention window",
)
def list_changes(
    call: Annotated[Call, Depends(caller(Access.PATIENT_DATA))],
    since: Annotated[
        str, Query(pattern=r"^[0-9]{1,18}$", description="The last cursor seen; 0 to start.")
    ] = "0",
    limit: Limit = 200,
) -> dict[str, Any]:
    with call.tx() as tx:
        return changes.read(tx, int(since), limit)
