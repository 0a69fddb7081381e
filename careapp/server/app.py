"""The FastAPI application of one deployment (one region, one environment)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from careapp import __version__
from careapp.server import logs, problems, webhooks
from careapp.server.api import batch as outbox_batch
from careapp.server.api import careflows, changes, definitions, directory, health, patients, workstations
from careapp.server.api_calls import api as api_calls_api
from careapp.server.clock import Clock, SystemClock
from careapp.server.config import ServerConfig
from careapp.server.context import Services
from careapp.server.crypto import Sealer, load_key
from careapp.server.db import Database
from careapp.server.hosted import api as hosted_api
from careapp.server.hosted import pages as hosted_pages
from careapp.server.hosted.tokens import Keyring
from careapp.server.promotion import api as promotion_api
from careapp.server.webhooks import api as webhooks_api

MAX_BODY_BYTES = 2 * 1024 * 1024


def default_key_file(db: Database) -> Path | None:
    """For a SQLite file the key lives beside it (a copy of the database alone stays sealed)."""
    if db.is_sqlite and db.url.database not in (None, "", ":memory:"):
        return Path(db.url.database).with_suffix(".key")  # type: ignore[arg-type]
    return None


def build_services(config: ServerConfig, clock: Clock | None = None, db: Database | None = None) -> Services:
    db = db or Database(config.db_url)
    key = load_key(config.secret_file, default_key_file(db))
    services = Services(
        config=config,
        db=db,
        clock=clock or SystemClock(),
        sealer=Sealer(key, config.region, config.environment),
        keyring=Keyring(
            key, config.region, config.environment, config.hosted_key_version, config.hosted_key_oldest
        ),
    )
    webhooks.install(services)  # webhook outbox rows commit with the change that caused them
    return services


class Guard:
    """Refuse oversized bodies early; never let a cache or a proxy keep API responses.

    A plain ASGI middleware: BaseHTTPMiddleware's task and stream plumbing cost ~0.3 ms a request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = Headers(scope=scope).get("content-length")
        if length and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
            response = problems.problem_response(
                413, "body-too-large", f"Bodies are limited to {MAX_BODY_BYTES} bytes."
            )
            await response(scope, receive, send)
            return

        async def send_with_defaults(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                headers = MutableHeaders(scope=message)
                headers.setdefault("Cache-Control", "no-store")
                headers.setdefault("X-Content-Type-Options", "nosniff")
            await send(message)

        await self.app(scope, receive, send_with_defaults)


def _openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title="CareApp regional backend",
        version=__version__,
        description=(
            "One deployment serves one region and one environment (see GET /v1/health). "
            "Errors are RFC 9457 problem details. Creating POSTs accept Idempotency-Key."
        ),
        routes=app.routes,
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = problems.Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    app.openapi_schema = schema
    return schema


def create_app(
    config: ServerConfig | None = None,
    *,
    services: Services | None = None,
    clock: Clock | None = None,
    webhook_dispatcher: bool = True,
) -> FastAPI:
    """The app for CONFIG. The database must already be migrated (see careapp.server.schema).

    WEBHOOK_DISPATCHER runs the webhook dispatcher thread while the app serves (tests drive one
    by hand instead)."""
    services = services or build_services(config or ServerConfig.from_env(), clock)
    app = FastAPI(
        title="CareApp regional backend",
        version=__version__,
        docs_url="/docs",
        redoc_url=None,
        lifespan=webhooks.lifespan(services, webhook_dispatcher),
    )
    app.state.services = services
    problems.install(app)
    app.add_middleware(Guard)
    for module in (health, directory, workstations, patients, definitions, careflows, changes):
        app.include_router(module.router, prefix="/v1")
    app.include_router(outbox_batch.router, prefix="/v1")  # workstation outbox push (sync)
    app.include_router(promotion_api.router, prefix="/v1")
    app.include_router(api_calls_api.router, prefix="/v1")  # starts the API-call runner with the app
    app.include_router(webhooks_api.router, prefix="/v1")
    app.include_router(hosted_api.router, prefix="/v1")
    app.include_router(hosted_pages.router)  # /l/, /s/, /e/: the patient pages
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    logs.install()
    return app


def create_app_from_env() -> FastAPI:
    """uvicorn factory for --workers N: each worker process reads the config from its environment."""
    return create_app(ServerConfig.from_env(), webhook_dispatcher=webhooks.enabled_from_env())
