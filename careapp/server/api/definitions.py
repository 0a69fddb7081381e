"""Care flow definitions: published ones for everybody, authoring for admins."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header
from fastapi.responses import JSONResponse

from careapp.domain.careflow import parse_definition
from careapp.server import idempotency
from careapp.server.api.common import AUTHED, CONFLICT, NOT_FOUND, WITH_BODY, Fingerprint
from careapp.server.auth import Access, caller
from careapp.server.context import Call, Tx
from careapp.server.idempotency import IdempotencyKey, Outcome
from careapp.server.models import DefinitionRow
from careapp.server.schemas.careflows import (
    DOCUMENT_HELP,
    ConstantIn,
    ConstantList,
    ConstantOut,
    DefinitionId,
    DefinitionList,
    DefinitionSummary,
    LiveVersionIn,
    VersionList,
    VersionOut,
    WorkingVersionOut,
)
from careapp.server.schemas.common import Count, IdPath
from careapp.server.services import definitions, views
from careapp.server.services.common import get_or_404

router = APIRouter(prefix="/care-flow-definitions", tags=["care flow definitions"])
Reader = Annotated[Call, Depends(caller(Access.ANY))]
Admin = Annotated[Call, Depends(caller(Access.ADMIN))]
Document = Annotated[dict[str, Any], Body(description=DOCUMENT_HELP, max_length=2000)]
IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        max_length=20,
        pattern=r'^"?[0-9]{1,9}"?$',
        description="The working revision you read.",
    ),
]


def _working(tx: Tx, row: DefinitionRow) -> dict[str, Any]:
    return {
        "definition_id": row.id,
        "revision": row.working_revision,
        "live_version": row.live_version,
        "versions": definitions.version_numbers(tx.session, row.id),
        "document": row.working_document,
        "updated_at": row.updated_at,
    }


@router.get("", response_model=DefinitionList, responses=AUTHED, summary="Published care flow definitions")
def list_published(call: Reader) -> dict[str, Any]:
    with call.tx(read_only=True) as tx:
        items = []
        for row in definitions.published(tx.session):
            assert row.live_version is not None
            doc = definitions.document(tx.services, tx.session, row.id, row.live_version)
            items.append(views.definition_summary(row, doc))
        return {"items": items}


@router.post(
    "",
    status_code=201,
    response_model=WorkingVersionOut,
    responses={**WITH_BODY, **CONFLICT},
    summary="Create a definition from a document (its working version)",
)
def create_definition(
    document: Document, call: Admin, fingerprint: Fingerprint, key: IdempotencyKey = None
) -> JSONResponse:
    def work(tx: Tx) -> Outcome:
        row = definitions.create(tx, document)
        return Outcome(
            201, _working(tx, row), {"Location": f"/v1/care-flow-definitions/{row.id}/working-version"}
        )

    return idempotency.run(call, key, fingerprint, work)


@router.get("/{definition_id}", response_model=DefinitionSummary, responses={**AUTHED, **NOT_FOUND})
def get_published(definition_id: IdPath, call: Reader) -> dict[str, Any]:
    with call.tx(read_only=True) as tx:
        row = definitions.get_published(tx.session, definition_id)
        assert row.live_version is not None
        return views.definition_summary(
            row, definitions.document(tx.services, tx.session, row.id, row.live_version)
        )


@router.get("/{definition_id}/versions", response_model=VersionList, responses={**AUTHED, **NOT_FOUND})
def list_versions(definition_id: IdPath, call: Reader) -> dict[str, Any]:
    with call.tx(read_only=True) as tx:
        row = get_or_404(tx.session, DefinitionRow, definition_id, "care flow definition")
        return {
            "items": [
                views.version(v, row.live_version) for v in definitions.versions(tx.session, definition_id)
            ]
        }


@router.get(
    "/{definition_id}/versions/{version}", response_model=VersionOut, responses={**AUTHED, **NOT_FOUND}
)
def get_version(definition_id: IdPath, version: Count, call: Reader) -> dict[str, Any]:
    with call.tx(read_only=True) as tx:
        row = get_or_404(tx.session, DefinitionRow, definition_id, "care flow definition")
        return views.version(definitions.get_version(tx.session, definition_id, version), row.live_version)


@router.get(
    "/{definition_id}/working-version", response_model=WorkingVersionOut, responses={**AUTHED, **NOT_FOUND}
)
def get_working(definition_id: IdPath, call: Admin) -> dict[str, Any]:
    with call.tx(read_only=True) as tx:
        return _working(tx, get_or_404(tx.session, DefinitionRow, definition_id, "care flow definition"))


@router.put(
    "/{definition_id}/working-version",
    response_model=WorkingVersionOut,
    responses={
        **WITH_BODY,
        **CONFLICT,
        201: {"model": WorkingVersionOut, "description": "The definition was created."},
    },
    summary="Replace the working version (import); creates the definition when absent",
)
def put_working(
    definition_id: DefinitionId, document: Document, call: Admin, if_match: IfMatch = None
) -> JSONResponse:
    revision = int(if_match.strip('"')) if if_match else None
    with call.tx() as tx:
        row, created = definitions.put_working(tx, definition_id, document, revision)
        return Outcome(
            201 if created else 200, _working(tx, row), {"ETag": f'"{row.working_revision}"'}
        ).response()


@router.post(
    "/{definition_id}/publish",
    status_code=201,
    response_model=VersionOut,
    responses={**AUTHED, **NOT_FOUND, **CONFLICT},
    summary="Publish the working version as the next immutable version and make it live",
)
def publish(
    definition_id: IdPath, call: Admin, fingerprint: Fingerprint, key: IdempotencyKey = None
) -> JSONResponse:
    def work(tx: Tx) -> Outcome:
        version = definitions.publish(tx, definition_id)
        return Outcome(201, views.version(version, version.version))

    return idempotency.run(call, key, fingerprint, work)


@router.put(
    "/{definition_id}/live-version", response_model=DefinitionSummary, responses={**WITH_BODY, **NOT_FOUND}
)
def set_live(definition_id: IdPath, body: LiveVersionIn, call: Admin) -> dict[str, Any]:
    with call.tx() as tx:
        row = definitions.set_live(tx, definition_id, body.version)
        return views.definition_summary(
            row, definitions.document(tx.services, tx.session, row.id, body.version)
        )


@router.get(
    "/{definition_id}/export",
    response_model=dict[str, Any],
    responses={**AUTHED, **NOT_FOUND},
    summary="The working version as an importable document (concealed constants blank)",
)
def export(definition_id: IdPath, call: Admin) -> dict[str, Any]:
    with call.tx() as tx:
        return definitions.export(tx, definition_id)


@router.get("/{definition_id}/constants", response_model=ConstantList, responses={**AUTHED, **NOT_FOUND})
def list_constants(definition_id: IdPath, call: Admin) -> dict[str, Any]:
    with call.tx(read_only=True) as tx:
        return {"items": [views.constant(c) for c in definitions.constants(tx, definition_id)]}


@router.put(
    "/{definition_id}/constants/{key}",
    response_model=ConstantOut,
    responses={**WITH_BODY, **NOT_FOUND},
    summary="Set a constant's value (write-only when concealed)",
)
def set_constant(definition_id: IdPath, key: IdPath, body: ConstantIn, call: Admin) -> dict[str, Any]:
    with call.tx() as tx:
        return views.constant(definitions.set_constant(tx, definition_id, key, body.value, body.concealed))


__all__ = ["parse_definition", "router"]
