"""API requests refuse query parameters their operation does not declare, as bodies refuse
unknown fields: `?limt=5` is a typo that should fail loudly, not silently page by the default.

The names come from the route's dependency tree: the same declarations the OpenAPI document is
made from. (The patient pages are left out: links arrive with whatever a mail or SMS service
appends.)"""

from __future__ import annotations

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

_declared: dict[int, frozenset[str]] = {}  # id(route) -> its query parameters, worked out once


def _query_names(dependant: Dependant) -> set[str]:
    names = {param.alias for param in dependant.query_params}
    for dependency in dependant.dependencies:
        names |= _query_names(dependency)
    return names


async def refuse_unknown_query_parameters(request: Request) -> None:
    if not request.query_params:
        return
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    known = _declared.get(id(route))
    if known is None:
        known = _declared[id(route)] = frozenset(_query_names(route.dependant))
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        problem = {"msg": "Unknown query parameter", "type": "extra_forbidden"}
        raise RequestValidationError([{**problem, "loc": ("query", name)} for name in unknown])
