"""Helpers shared by the services."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy.orm import Session

from careapp.server.problems import ProblemError, not_found

T = TypeVar("T")


def get_or_404(session: Session, model: type[T], ident: Any, what: str, *, for_update: bool = False) -> T:
    row = session.get(model, ident, with_for_update=for_update or None)
    if row is None:
        raise not_found(what)
    return row


def conflict(slug: str, detail: str) -> ProblemError:
    return ProblemError(409, slug, detail)


def invalid(slug: str, detail: str, **extensions: Any) -> ProblemError:
    return ProblemError(422, slug, detail, **extensions)
