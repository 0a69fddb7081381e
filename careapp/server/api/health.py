"""GET /v1/health: liveness, and which region and environment this deployment serves."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import text

from careapp import __version__ as careapp_version
from careapp.server.auth import services_of
from careapp.server.problems import ProblemError, responses
from careapp.server.schemas.directory import Health

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health, responses=responses(503))
def health(request: Request) -> dict[str, Any]:
    services = services_of(request)
    try:
        with services.db.transaction(read_only=True) as session:
            session.execute(text("SELECT 1"))
    except Exception as exc:
        raise ProblemError(503, "database-unavailable", "The database is not reachable.") from exc
    return {
        "status": "ok",
        "region": services.config.region,
        "environment": services.config.environment,
        "version": careapp_version,
        "database": services.db.url.get_backend_name(),
    }
