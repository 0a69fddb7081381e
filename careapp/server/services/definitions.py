"""Care flow definitions: working version, immutable published versions, constants."""

from __future__ import annotations

import dataclasses
import json
import uuid
from typing import Any, cast

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from careapp.domain.careflow import (
    CareFlowDocument,
    ConstantDefinition,
    InvalidDefinition,
    parse_definition,
    to_document,
    without_constant_values,
)
from careapp.prepared import Prepared
from careapp.server.context import Services, Tx
from careapp.server.models import ConstantRow, DefinitionRow, DefinitionVersionRow
from careapp.server.problems import ProblemError, not_found
from careapp.server.services.common import conflict, get_or_404, invalid


def _parse(document: Any) -> CareFlowDocument:
    try:
        return parse_definition(document)
    except InvalidDefinition as exc:
        raise invalid(
            "invalid-definition",
            "The care flow definition document is invalid.",
            errors=[{"location": [p.path], "message": p.message} for p in exc.problems[:100]],
        ) from exc


def _sync_constants(tx: Tx, definition_id: str, doc: CareFlowDocument) -> None:
    """Constants follow the document: new keys added, gone keys dropped, given values set.

    A constant given without a value keeps the value already stored, so re-importing an export
    (where concealed values are blank) never wipes a secret. Un-concealing a constant drops its
    value (the admin sets a new one): a concealed value is never turned back into plain text.
    """
    rows = {
        c.key: c
        for c in tx.session.scalars(select(ConstantRow).where(ConstantRow.definition_id == definition_id))
    }
    wanted = {c.key: c for c in doc.constants}
    for key, unwanted in rows.items():
        if key not in wanted:
            tx.session.delete(unwanted)
    for key, const in wanted.items():
        row = rows.get(key)
        if row is None:
            row = ConstantRow(
                definition_id=definition_id, key=key, concealed=const.concealed, updated_at=tx.now
            )
            tx.session.add(row)
            tx.session.flush()
        elif row.concealed != const.concealed:
            _store_value(tx, row, None if row.concealed else row.value, const.concealed)
        if const.value is not None:
            _store_value(tx, row, const.value, const.concealed)


def _seal_purpose(row: ConstantRow) -> str:
    return f"constant:{row.definition_id}:{row.key}"


def _store_value(tx: Tx, row: ConstantRow, value: str | None, concealed: bool) -> None:
    row.concealed = concealed
    if concealed:
        row.value = None
        row.sealed_value = (
            None if value is None else tx.services.sealer.seal(value.encode(), _seal_purpose(row))
        )
    else:
        row.value = value
        row.sealed_value = None
    row.updated_at = tx.now


def _read_value(services: Services, row: ConstantRow) -> str | None:
    if not row.concealed:
        return row.value
    if row.sealed_value is None:
        return None
    return services.sealer.open(row.sealed_value, _seal_purpose(row)).decode()


def parse_document(document: Any) -> CareFlowDocument:
    """Parse a definition document, or raise 422 listing its problems."""
    return _parse(document)


def store_constant_value(tx: Tx, row: ConstantRow, value: str | None, concealed: bool) -> None:
    """Set ROW's value (sealed when concealed); for promotion, which has its own constant rules."""
    _store_value(tx, row, value, concealed)


def read_constant_value(services: Services, row: ConstantRow) -> str | None:
    """ROW's plaintext, for the engine's own use only: never for any output."""
    return _read_value(services, row)


def constant_value(tx: Tx, definition_id: str, key: str) -> str | None:
    """A constant's value for the engine's own use (e.g. a later API call action); never for output."""
    row = tx.session.scalar(
        select(ConstantRow).where(ConstantRow.definition_id == definition_id, ConstantRow.key == key)
    )
    return None if row is None else _read_value(tx.services, row)


def constants(tx: Tx, definition_id: str) -> list[ConstantRow]:
    get_or_404(tx.session, DefinitionRow, definition_id, "care flow definition")
    return list(
        tx.session.scalars(
            select(ConstantRow).where(ConstantRow.definition_id == definition_id).order_by(ConstantRow.key)
        )
    )


def set_constant(
    tx: Tx, definition_id: str, key: str, value: str | None, concealed: bool | None
) -> ConstantRow:
    row = tx.session.scalar(
        select(ConstantRow).where(ConstantRow.definition_id == definition_id, ConstantRow.key == key)
    )
    if row is None:
        raise not_found("constant")
    _store_value(tx, row, value, row.concealed if concealed is None else concealed)
    # The working document lists the constant; keep its concealed flag in step.
    definition = get_or_404(tx.session, DefinitionRow, definition_id, "care flow definition")
    document = dict(definition.working_document)
    document["constants"] = [
        {**c, "concealed": row.concealed} if c.get("key") == key else c for c in document.get("constants", [])
    ]
    _parse(document)  # e.g. a constant shown in a message cannot become concealed
    definition.working_document = document
    definition.updated_at = tx.now
    tx.audit(
        "care_flow_definition.constant_set", resource_type="care_flow_definition", resource_id=definition_id
    )
    return row


def _store_working(tx: Tx, row: DefinitionRow, doc: CareFlowDocument) -> None:
    stored = without_constant_values(doc)
    row.title = doc.title
    row.working_document = to_document(stored)
    row.updated_at = tx.now
    _sync_constants(tx, row.id, doc)


def create(tx: Tx, document: Any) -> DefinitionRow:
    doc = _parse(document)
    definition_id = doc.id or str(uuid.uuid4())
    if tx.session.get(DefinitionRow, definition_id) is not None:
        raise conflict("definition-exists", f"A care flow definition with id {definition_id!r} exists.")
    doc = dataclasses.replace(doc, id=definition_id)
    row = DefinitionRow(id=definition_id, working_revision=1, created_at=tx.now)
    tx.session.add(row)
    _store_working(tx, row, doc)
    tx.session.flush()
    tx.audit("care_flow_definition.created", resource_type="care_flow_definition", resource_id=definition_id)
    return row


def put_working(
    tx: Tx, definition_id: str, document: Any, if_match: int | None
) -> tuple[DefinitionRow, bool]:
    """Replace the working version (create the definition if absent): how import works."""
    doc = _parse(document)
    if doc.id is not None and doc.id != definition_id:
        raise invalid("id-mismatch", "The document's id differs from the one in the path.")
    doc = dataclasses.replace(doc, id=definition_id)
    row = tx.session.get(DefinitionRow, definition_id, with_for_update=True)
    created = row is None
    if row is None:
        row = DefinitionRow(id=definition_id, working_revision=1, created_at=tx.now)
        tx.session.add(row)
    else:
        if if_match is not None and if_match != row.working_revision:
            raise conflict("stale-revision", "The working version changed since you read it.")
        row.working_revision += 1
    _store_working(tx, row, doc)
    tx.session.flush()
    tx.audit("care_flow_definition.updated", resource_type="care_flow_definition", resource_id=definition_id)
    return row, created


def versions(session: Session, definition_id: str) -> list[DefinitionVersionRow]:
    return list(
        session.scalars(
            select(DefinitionVersionRow)
            .where(DefinitionVersionRow.definition_id == definition_id)
            .order_by(DefinitionVersionRow.version)
        )
    )


def version_numbers(session: Session, definition_id: str) -> list[int]:
    return list(
        session.scalars(
            select(DefinitionVersionRow.version)
            .where(DefinitionVersionRow.definition_id == definition_id)
            .order_by(DefinitionVersionRow.version)
        )
    )


def publish(tx: Tx, definition_id: str) -> DefinitionVersionRow:
    row = get_or_404(tx.session, DefinitionRow, definition_id, "care flow definition", for_update=True)
    latest = tx.session.scalar(
        select(func.max(DefinitionVersionRow.version)).where(
            DefinitionVersionRow.definition_id == definition_id
        )
    )
    number = (latest or 0) + 1
    version = DefinitionVersionRow(
        definition_id=definition_id,
        version=number,
        document=row.working_document,
        published_at=tx.now,
        published_by=tx.principal.actor,
    )
    tx.session.add(version)
    row.live_version = number
    row.updated_at = tx.now
    tx.session.flush()
    tx.audit(
        "care_flow_definition.published", resource_type="care_flow_definition", resource_id=definition_id
    )
    tx.change("care_flow_definition", definition_id, "published")
    return version


def set_live(tx: Tx, definition_id: str, number: int) -> DefinitionRow:
    row = get_or_404(tx.session, DefinitionRow, definition_id, "care flow definition", for_update=True)
    get_version(tx.session, definition_id, number)
    row.live_version = number
    row.updated_at = tx.now
    tx.audit("care_flow_definition.live_set", resource_type="care_flow_definition", resource_id=definition_id)
    tx.change("care_flow_definition", definition_id, "live_version_changed")
    return row


def get_version(session: Session, definition_id: str, number: int) -> DefinitionVersionRow:
    row = session.scalar(
        select(DefinitionVersionRow).where(
            DefinitionVersionRow.definition_id == definition_id, DefinitionVersionRow.version == number
        )
    )
    if row is None:
        raise not_found("care flow definition version")
    return row


def published(session: Session) -> list[DefinitionRow]:
    return list(
        session.scalars(
            select(DefinitionRow).where(DefinitionRow.live_version.is_not(None)).order_by(DefinitionRow.id)
        )
    )


def get_published(session: Session, definition_id: str) -> DefinitionRow:
    row = session.get(DefinitionRow, definition_id)
    if row is None or row.live_version is None:
        raise not_found("published care flow definition")
    return row


def export(tx: Tx, definition_id: str) -> dict[str, Any]:
    """The working version as an importable document; concealed constants leave blank."""
    row = get_or_404(tx.session, DefinitionRow, definition_id, "care flow definition")
    doc = parse_definition(row.working_document)
    values = [
        ConstantDefinition(c.key, c.concealed, None if c.concealed else c.value)
        for c in constants(tx, definition_id)
    ]
    tx.audit("care_flow_definition.exported", resource_type="care_flow_definition", resource_id=definition_id)
    return to_document(doc, values)


def document(services: Services, session: Session, definition_id: str, number: int) -> CareFlowDocument:
    """A published version, parsed. Versions are immutable, so caching them is always correct."""
    key = (definition_id, number)
    cached = services.documents.get(key)
    if cached is None:
        row = get_version(session, definition_id, number)
        cached = parse_definition(row.document)
        if len(services.documents) > 256:
            services.documents.clear()
        services.documents[key] = cached
    return cached


def canonical(document: Any) -> str:
    return json.dumps(document, sort_keys=True, separators=(",", ":"))


# Built once: every care flow start runs it, on the driver (careapp.prepared).
_definitions = DefinitionRow.__table__.c
_LIVE_VERSION = Prepared(
    select(_definitions.live_version).where(_definitions.id == bindparam("definition_id"))
)


def live_version(session: Session, definition_id: str) -> int | None:
    """DEFINITION_ID's live version number (None: not published yet); 404 when there is no such
    definition. Read from the database each time, so every worker sees a new live version at
    once; a definition this transaction loaded is asked instead (it may hold unflushed changes).
    No flush: nothing pending changes the answer, and a flush would split a batch's INSERTs."""
    loaded = session.identity_map.get(identity_key(DefinitionRow, definition_id))
    if isinstance(loaded, DefinitionRow):
        return loaded.live_version
    found = _LIVE_VERSION.first(session, {"definition_id": definition_id})
    if found is None:
        raise not_found("care flow definition")
    return cast(int | None, found[0])


def require_published(
    services: Services, session: Session, definition_id: str, number: int | None
) -> tuple[int, CareFlowDocument]:
    """The published version NUMBER (else the live one) of DEFINITION_ID, parsed (the parsed
    versions are cached: they never change)."""
    if number is None:
        number = live_version(session, definition_id)
        if number is None:
            raise ProblemError(
                409, "not-published", "This care flow definition has no published version yet."
            )
    else:
        live_version(session, definition_id)  # 404 for an unknown definition, as before
    return number, document(services, session, definition_id, number)  # 404 if no such version
