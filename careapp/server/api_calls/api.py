"""An API-call activity's delivery state for admins; the runner starts and stops with the app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI
from pydantic import BaseModel

from careapp.server.api.common import AUTHED, NOT_FOUND
from careapp.server.api_calls.runner import ApiCallRunner
from careapp.server.auth import Access, caller
from careapp.server.context import Call
from careapp.server.models import ActivityRow, ApiCallRunRow
from careapp.server.problems import not_found
from careapp.server.schemas.common import IdPath
from careapp.server.services.common import get_or_404


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    runner = ApiCallRunner(app.state.services)
    runner.start()
    try:
        yield
    finally:
        runner.stop()


router = APIRouter(tags=["activities"], lifespan=lifespan)
Admin = Annotated[Call, Depends(caller(Access.ADMIN))]


class ApiCallState(BaseModel):
    activity_id: str
    status: Literal["pending", "done"]
    attempts: int
    next_attempt_at: datetime
    last_status_code: int | None
    last_error: str | None
    updated_at: datetime


@router.get(
    "/activities/{activity_id}/api-call",
    response_model=ApiCallState,
    responses={**AUTHED, **NOT_FOUND},
    summary="Delivery state of an api_call activity (never its URL, headers or body)",
)
def api_call_state(activity_id: IdPath, call: Admin) -> dict[str, Any]:
    with call.tx(read_only=True) as tx:
        get_or_404(tx.session, ActivityRow, activity_id, "activity")
        run = tx.session.get(ApiCallRunRow, activity_id)
        if run is None:
            raise not_found("API call of this activity")
        return {
            "activity_id": run.activity_id,
            "status": run.status,
            "attempts": run.attempts,
            "next_attempt_at": run.next_attempt_at,
            "last_status_code": run.last_status_code,
            "last_error": run.last_error,
            "updated_at": run.updated_at,
        }
