"""Errors as RFC 9457 problem details (application/problem+json), documented in OpenAPI."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "urn:careapp:problem:"

TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    410: "Gone",
    412: "Precondition failed",
    413: "Payload too large",
    431: "Request header fields too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
    428: "Precondition required",
    500: "Internal server error",
    503: "Service unavailable",
}

DESCRIPTIONS = {
    400: "Malformed request: the body is not valid JSON.",
    401: "Missing, unknown or revoked credential, or one issued for another region or environment.",
    403: "The credential or acting user may not do this.",
    404: "No such resource.",
    409: (
        "Conflict with the current state (stale version, request with this Idempotency-Key in flight, "
        "state does not allow it)."
    ),
    410: "The change-feed cursor is older than the retention window; resynchronise.",
    413: "The request body is larger than the server accepts.",
    503: "The database is not reachable.",
    422: (
        "The request is well-formed but invalid (validation errors, or an Idempotency-Key reused "
        "with another body)."
    ),
}


class Problem(BaseModel):
    """RFC 9457 problem details; extension members (e.g. ``errors``) may be added."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None


class ProblemError(Exception):
    """Raise anywhere in a request to answer with a problem document."""

    def __init__(
        self,
        status: int,
        slug: str,
        detail: str | None = None,
        *,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail or slug)
        self.status = status
        self.slug = slug
        self.detail = detail
        self.headers = headers
        self.extensions = extensions


def not_found(what: str) -> ProblemError:
    return ProblemError(404, "not-found", f"{what} not found")


def problem_response(
    status: int,
    slug: str,
    detail: str | None = None,
    *,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    body: dict[str, Any] = {"type": TYPE_BASE + slug, "title": TITLES.get(status, "Error"), "status": status}
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    body.update(extensions)
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_MEDIA_TYPE)


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the problem statuses an operation can answer with."""
    return {
        code: {
            "description": DESCRIPTIONS.get(code, TITLES.get(code, "Error")),
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for code in codes
    }


def _validation_errors(exc: RequestValidationError) -> tuple[int, str, list[dict[str, Any]]]:
    errors = []
    malformed = False
    for err in exc.errors():
        if err.get("type") == "json_invalid":
            malformed = True
        # Never echo the input back: it may be a patient's answer or a secret.
        errors.append({"location": [str(p) for p in err.get("loc", ())], "message": err.get("msg", "")})
    if malformed:
        return 400, "malformed-json", errors
    return 422, "validation-error", errors


def install(app: FastAPI) -> None:
    @app.exception_handler(ProblemError)
    async def _problem(request: Request, exc: ProblemError) -> JSONResponse:
        return problem_response(
            exc.status, exc.slug, exc.detail, instance=request.url.path, headers=exc.headers, **exc.extensions
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        status, slug, errors = _validation_errors(exc)
        detail = "The body is not valid JSON." if status == 400 else "The request has invalid fields."
        return problem_response(status, slug, detail, instance=request.url.path, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        slug = {404: "not-found", 405: "method-not-allowed", 413: "body-too-large"}.get(
            exc.status_code, "http-error"
        )
        detail = exc.detail if isinstance(exc.detail, str) else None
        return problem_response(
            exc.status_code, slug, detail, instance=request.url.path, headers=getattr(exc, "headers", None)
        )

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> JSONResponse:
        # The traceback goes to the log by uvicorn; the client learns nothing internal.
        return problem_response(500, "internal-error", "The server could not complete the request.")
