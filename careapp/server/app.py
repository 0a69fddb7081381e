"""The FastAPI application of one deployment (one region, one environment)."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import BaseRoute, compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from careapp import __version__
from careapp.server import auth, hospital_link, logs, notify, problems, webhooks
from careapp.server.api import batch as outbox_batch
from careapp.server.api import careflows, changes, definitions, directory, health, patients, workstations
from careapp.server.api_calls import api as api_calls_api
from careapp.server.clock import Clock, SystemClock
from careapp.server.config import ServerConfig
from careapp.server.context import Services
from careapp.server.crypto import Sealer, load_key
from careapp.server.db import Database
from careapp.server.hospital_link import api as hospital_link_api
from careapp.server.hosted import api as hosted_api
from careapp.server.hosted import pages as hosted_pages
from careapp.server.notify import api as notify_api
from careapp.server.promotion import api as promotion_api
from careapp.server.strict_query import refuse_unknown_query_parameters
from careapp.server.tokens import Keyring
from careapp.server.webhooks import api as webhooks_api

MAX_BODY_BYTES = 2 * 1024 * 1024
# Header caps: a browser or an HTTP client sends some 20 headers of a few KiB in all.
MAX_HEADERS = 100
MAX_HEADER_BYTES = 8 * 1024  # one header, name and value
MAX_HEADERS_TOTAL_BYTES = 32 * 1024


class BodyTooLarge(StarletteHTTPException):
    """The body streamed past MAX_BODY_BYTES (chunked, or longer than its Content-Length said)."""

    def __init__(self) -> None:
        super().__init__(413, f"Bodies are limited to {MAX_BODY_BYTES} bytes.")


def _headers_refused(headers: list[tuple[bytes, bytes]]) -> str | None:
    if len(headers) > MAX_HEADERS:
        return f"At most {MAX_HEADERS} request headers are accepted."
    sizes = [len(name) + len(value) for name, value in headers]
    if any(size > MAX_HEADER_BYTES for size in sizes) or sum(sizes) > MAX_HEADERS_TOTAL_BYTES:
        return (
            f"Request headers are limited to {MAX_HEADER_BYTES} bytes each, {MAX_HEADERS_TOTAL_BYTES} in all."
        )
    return None


def default_key_file(db: Database) -> Path | None:
    """For a SQLite file the key lives beside it (a copy of the database alone stays sealed)."""
    if db.is_sqlite and db.url.database not in (None, "", ":memory:"):
        return Path(db.url.database).with_suffix(".key")
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
    notify.install(services)  # so do e-mails and SMS to patients
    auth.install(services)  # a committed revocation clears this worker's credential cache
    hospital_link.install(services)  # result messages commit with the form or score they report
    return services


class Guard:
    """Refuse oversized headers and bodies early; never let a cache or a proxy keep API responses.

    The body is counted as it streams (a chunked body has no Content-Length), so no request
    makes the server hold more than MAX_BODY_BYTES of it.

    A plain ASGI middleware: BaseHTTPMiddleware's task and stream plumbing cost ~0.3 ms a request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refused = _headers_refused(scope["headers"])
        if refused:
            await problems.problem_response(431, "headers-too-large", refused)(scope, receive, send)
            return
        length = Headers(scope=scope).get("content-length")
        if length and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
            await problems.problem_response(413, "body-too-large", BodyTooLarge().detail)(
                scope, receive, send
            )
            return
        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > MAX_BODY_BYTES:
                    raise BodyTooLarge  # answered by the problem handler (see problems.install)
            return message

        async def send_with_defaults(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message.setdefault("headers", [])
                headers = MutableHeaders(scope=message)
                headers.setdefault("Cache-Control", "no-store")
                headers.setdefault("X-Content-Type-Options", "nosniff")
            await send(message)

        try:
            await self.app(scope, counted_receive, send_with_defaults)
        except BodyTooLarge as exc:  # read outside a route (none today), so not answered yet
            if started:
                raise
            await problems.problem_response(413, "body-too-large", exc.detail)(scope, receive, send)


# Every router under its prefix, in the order the API documents them.
_DOCUMENTED: tuple[tuple[APIRouter, str], ...] = (
    *((module.router, "/v1") for module in (health, directory, workstations, patients, definitions)),
    (careflows.router, "/v1"),
    (changes.router, "/v1"),
    (outbox_batch.router, "/v1"),  # workstation outbox push (sync)
    (promotion_api.router, "/v1"),
    (api_calls_api.router, "/v1"),  # starts the API-call runner with the app
    (webhooks_api.router, "/v1"),
    (hospital_link_api.router, "/v1"),  # starts the result sender with the app
    (hosted_api.router, "/v1"),
    (notify_api.router, "/v1"),  # e-mail and SMS to patients
    (hosted_pages.router, ""),  # /l/, /s/, /e/: the patient pages
    (notify_api.pages, ""),  # /u/: unsubscribe
)
# The order requests are matched in: the busiest routers first (see create_app).
_BUSIEST = (hosted_api.router, outbox_batch.router, careflows.router, patients.router)
_MATCH_ORDER = (
    *(entry for router in _BUSIEST for entry in _DOCUMENTED if entry[0] is router),
    *(entry for entry in _DOCUMENTED if entry[0] not in _BUSIEST),
)


def _documented_routes(app: FastAPI) -> list[BaseRoute]:
    """APP's routes with the routers back in _DOCUMENTED order (a stable sort: the rest first)."""
    rank: dict[int, int] = {}
    for n, (router, _prefix) in enumerate(_DOCUMENTED):
        rank[id(router)] = n  # FastAPI ≥ 0.16x keeps an included router (as original_router)
        for route in router.routes:  # older FastAPI copies its routes in (same endpoints)
            rank.setdefault(id(getattr(route, "endpoint", None)), n)

    def key(route: BaseRoute) -> int:
        of = getattr(route, "original_router", None) or getattr(route, "endpoint", None)
        return rank.get(id(of), -1)

    return sorted(app.routes, key=key)


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
        routes=_documented_routes(app),
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
    scheduler: bool = True,
    notifications: bool | None = None,
) -> FastAPI:
    """The app for CONFIG. The database must already be migrated (see careapp.server.schema).

    WEBHOOK_DISPATCHER runs the webhook dispatcher thread while the app serves, SCHEDULER the
    care flows' scheduler, NOTIFICATIONS the e-mail and SMS dispatcher (tests drive them by hand instead)."""
    services = services or build_services(config or ServerConfig.from_env(), clock)
    app = FastAPI(
        title="CareApp regional backend",
        version=__version__,
        docs_url="/docs",
        redoc_url=None,
        lifespan=webhooks.lifespan(services, webhook_dispatcher),
    )
    app.state.services = services
    app.state.run_scheduler = scheduler  # careapp.server.engine.scheduler fires due times
    if notifications is not None:  # else $CAREAPP_SERVER_NOTIFICATION_DISPATCHER decides
        app.state.run_notifications = notifications
    problems.install(app)
    app.add_middleware(Guard)
    # Routers are tried in order, each route's pattern in turn (~60 of them), and no two routes
    # match the same request, so the busiest go first: hosted pages sessions are created at
    # hundreds a second, and matching them last cost a tenth of the request's CPU.
    # The OpenAPI document keeps the order below (_DOCUMENTED).
    for router, prefix in _MATCH_ORDER:
        strict = [Depends(refuse_unknown_query_parameters)] if prefix == "/v1" else []
        app.include_router(router, prefix=prefix, dependencies=strict)
    # For 405 answers' Allow header (problems._allowed_methods).
    app.state.route_methods = [
        (prefix + route.path, compile_path(prefix + route.path)[0], frozenset(route.methods or ()))
        for router, prefix in _DOCUMENTED
        for route in router.routes
        if isinstance(route, APIRoute)
    ]
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]  # FastAPI's documented way to serve a customised OpenAPI document
    logs.install()
    return app


def create_app_from_env() -> FastAPI:
    """uvicorn factory for --workers N: each worker process reads the config from its environment."""
    app = create_app(ServerConfig.from_env(), webhook_dispatcher=webhooks.enabled_from_env())
    freeze_startup_objects()
    return app


def freeze_startup_objects() -> None:
    """Hide everything built so far (app, routes, models, mappers) from the garbage collector.

    They are some 180,000 objects that live as long as the worker. A full collection walks them
    all and stops every request meanwhile: ~90 ms, a few times a minute under load, which was
    most of the session benchmark's latency tail. Frozen, they are never walked again; what the
    requests allocate is collected as before. Call once, when the app is built, before serving."""
    gc.collect()
    gc.freeze()
