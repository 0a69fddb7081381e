"""API requests refuse query parameters their operation does not declare, as bodies refuse
unknown fields: `?limt=5` is a typo that should fail loudly, not silently page by the default.
A parameter that takes one value and is given twice is refused too (which one was meant?).

The names come from the route's dependency tree: the same declarations the OpenAPI document is
made from. (The patient pages are left out: links arrive with whatever a mail or SMS service
appends.)"""

from __future__ import annotations

from collections.abc import Sequence
from types import UnionType
from typing import Any, Union, get_args, get_origin

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

# id(route) -> (its query parameters, those taking several values), worked out once
_declared: dict[int, tuple[frozenset[str], frozenset[str]]] = {}


def _takes_several(annotation: Any) -> bool:
    if get_origin(annotation) in (Union, UnionType):
        return any(_takes_several(arg) for arg in get_args(annotation))
    origin = get_origin(annotation) or annotation
    if not isinstance(origin, type) or issubclass(origin, (str, bytes)):  # text is one value
        return False
    return issubclass(origin, (list, tuple, set, frozenset, Sequence))


def _query_parameters(dependant: Dependant) -> dict[str, bool]:
    """Each query parameter's name -> whether it takes several values."""
    names = {p.alias: _takes_several(p.field_info.annotation) for p in dependant.query_params}
    for dependency in dependant.dependencies:
        names.update(_query_parameters(dependency))
    return names


async def refuse_unknown_query_parameters(request: Request) -> None:
    if not request.query_params:
        return
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    declared = _declared.get(id(route))
    if declared is None:
        parameters = _query_parameters(route.dependant)
        declared = frozenset(parameters), frozenset(name for name, many in parameters.items() if many)
        _declared[id(route)] = declared
    known, several = declared
    given = request.query_params
    errors = [
        {"msg": "Unknown query parameter", "type": "extra_forbidden", "loc": ("query", name)}
        for name in sorted(set(given) - known)
    ]
    errors += [
        {"msg": "Given more than once", "type": "too_long", "loc": ("query", name)}
        for name in sorted(set(given) & known - several)
        if len(given.getlist(name)) > 1
    ]
    if errors:
        raise RequestValidationError(errors)
