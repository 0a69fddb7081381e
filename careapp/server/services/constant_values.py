"""Constant values where the engine uses them: templates shown to people, and API calls.

Concealed values are opened here for the engine's own requests only; text shown to people only
ever gets non-concealed values (a concealed reference renders empty, should one slip through).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from careapp.domain.careflow import render_localized
from careapp.domain.forms import LocalizedText
from careapp.server.context import Tx
from careapp.server.models import ConstantRow
from careapp.server.services.definitions import read_constant_value


def _rows(tx: Tx, definition_id: str) -> list[ConstantRow]:
    return list(tx.session.scalars(select(ConstantRow).where(ConstantRow.definition_id == definition_id)))


def for_people(tx: Tx, definition_id: str) -> dict[str, str | None]:
    return {r.key: None if r.concealed else r.value for r in _rows(tx, definition_id)}


def for_engine(tx: Tx, definition_id: str) -> dict[str, str | None]:
    """Every value, concealed ones opened: for outgoing API calls, never for any output."""
    return {r.key: read_constant_value(tx.services, r) for r in _rows(tx, definition_id)}


def render_for_people(tx: Tx, definition_id: str, text: LocalizedText | None) -> LocalizedText | None:
    if text is None:
        return None
    return render_localized(text, for_people(tx, definition_id))


def render_activity(tx: Tx, definition_id: str, view: dict[str, Any]) -> dict[str, Any]:
    """An activity as shown to people (API, pages): its message and checklist text rendered."""
    values = for_people(tx, definition_id)
    items = view.get("items")
    return {
        **view,
        "body": render_localized(view.get("body"), values),
        "items": None if items is None else [render_localized(i, values) for i in items],
    }
