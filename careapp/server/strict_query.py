"""API requests refuse query parameters their operation does not document, as bodies refuse
unknown fields: `?limt=5` is a typo that should fail loudly, not silently page by the default.

The parameters are read from the app's own OpenAPI document, which is what a client reads.
(The patient pages are left out: links arrive with whatever a mail or SMS service appends.)"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

_HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}


def _documented_query_parameters(app: FastAPI) -> dict[tuple[str, str], frozenset[str]]:
    named: dict[tuple[str, str], frozenset[str]] = {}
    for path, operations in app.openapi().get("paths", {}).items():
        for method, operation in operations.items():
            if method in _HTTP_METHODS:
                parameters = operation.get("parameters", ())
                names = frozenset(p["name"] for p in parameters if p.get("in") == "query")
                named[(path, method.upper())] = names
    return named


async def refuse_unknown_query_parameters(request: Request) -> None:
    if not request.query_params:
        return
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    state = request.app.state
    documented = getattr(state, "query_parameters", None)
    if documented is None:  # worked out once per app, on the first request with a query
        documented = state.query_parameters = _documented_query_parameters(request.app)
    known = documented.get((route.path_format, request.method))
    if known is None:
        return
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        problem = {"msg": "Unknown query parameter", "type": "extra_forbidden"}
        raise RequestValidationError([{**problem, "loc": ("query", name)} for name in unknown])
