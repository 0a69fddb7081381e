"""/v1/hospital-connections (admins), the result messages of a care flow (clinicians see what the
hospital refused), and a care flow's results as FHIR R4 resources."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response
from fastapi.responses import JSONResponse
from sqlalchemy import func, select

from careapp.domain.careflow import ActivityStatus, ActivityType
from careapp.server import engine, idempotency
from careapp.server.api.common import AUTHED, CONFLICT, NOT_FOUND, WITH_BODY, Fingerprint, Limit, Offset
from careapp.server.auth import Access, caller
from careapp.server.context import Call, Tx
from careapp.server.hospital_link import connections, fhir_results, outbox, results
from careapp.server.hospital_link.lifespan import lifespan
from careapp.server.hospital_link.schemas import (
    HospitalConnectionIn,
    HospitalConnectionList,
    HospitalConnectionOut,
    MessageStatus,
    ResultMessageList,
    ResultMessageOut,
)
from careapp.server.idempotency import IdempotencyKey, Outcome
from careapp.server.models import ActivityRow, ResultMessageRow
from careapp.server.schemas.common import IdPath

router = APIRouter(tags=["hospital link"], lifespan=lifespan)  # the result sender and the ADT listener
Admin = Annotated[Call, Depends(caller(Access.ADMIN))]
Clinical = Annotated[Call, Depends(caller(Access.PATIENT_DATA))]
FHIR_JSON = "application/fhir+json"
MessageId = Annotated[int, Path(ge=1, le=2**63 - 1)]


def message_view(row: ResultMessageRow) -> dict[str, Any]:
    fields = (
        "id", "connection_id", "care_flow_id", "activity_id", "kind", "transport", "control_id",
        "status", "attempts", "ack_code", "last_error", "created_at", "next_attempt_at",
        "last_attempt_at", "delivered_at",
    )  # fmt: skip
    return {name: getattr(row, name) for name in fields}


@router.post(
    "/hospital-connections",
    status_code=201,
    response_model=HospitalConnectionOut,
    responses={**WITH_BODY, **CONFLICT},
    summary="Connect a hospital: results out (HL7 ORU^R01 or FHIR) and the rules for its ADT feed",
)
def create_connection(
    body: HospitalConnectionIn, call: Admin, fingerprint: Fingerprint, key: IdempotencyKey = None
) -> JSONResponse:
    def work(tx: Tx) -> Outcome:
        row = connections.create(tx, body)
        return Outcome(201, connections.view(row), {"Location": f"/v1/hospital-connections/{row.id}"})

    return idempotency.run(call, key, fingerprint, work)


@router.get("/hospital-connections", response_model=HospitalConnectionList, responses=AUTHED)
def list_connections(call: Admin, limit: Limit = 100, offset: Offset = 0) -> dict[str, Any]:
    with call.tx(read_only=True) as tx:
        rows, total = connections.list_connections(tx, limit=limit, offset=offset)
        return {
            "items": [connections.view(r) for r in rows],
            "limit": limit,
            "offset": offset,
            "total": total,
        }


@router.get(
    "/hospital-connections/{connection_id}",
    response_model=HospitalConnectionOut,
    responses={**AUTHED, **NOT_FOUND},
)
def get_connection(connection_id: IdPath, call: Admin) -> dict[str, Any]:
    with call.tx(read_only=True) as tx:
        return connections.view(connections.get(tx, connection_id))


@router.put(
    "/hospital-connections/{connection_id}",
    response_model=HospitalConnectionOut,
    responses={**WITH_BODY, **NOT_FOUND, **CONFLICT},
    summary="Replace the connection's settings and rules",
)
def replace_connection(connection_id: IdPath, body: HospitalConnectionIn, call: Admin) -> dict[str, Any]:
    with call.tx() as tx:
        return connections.view(connections.replace(tx, connection_id, body))


@router.delete(
    "/hospital-connections/{connection_id}",
    status_code=204,
    response_class=Response,
    responses={**AUTHED, **NOT_FOUND},
    summary="Remove the connection with its message log; results not yet delivered are dropped",
)
def delete_connection(connection_id: IdPath, call: Admin) -> Response:
    with call.tx() as tx:
        connections.delete(tx, connection_id)
    return Response(status_code=204)


def _messages(tx: Tx, *where: Any, limit: int, offset: int) -> dict[str, Any]:
    total = tx.session.scalar(select(func.count()).select_from(ResultMessageRow).where(*where)) or 0
    rows = tx.session.scalars(
        select(ResultMessageRow)
        .where(*where)
        .order_by(ResultMessageRow.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return {"items": [message_view(r) for r in rows], "limit": limit, "offset": offset, "total": total}


@router.get(
    "/hospital-connections/{connection_id}/result-messages",
    response_model=ResultMessageList,
    responses={**AUTHED, **NOT_FOUND},
    summary="The results sent to this hospital, newest first, with its answers",
)
def connection_messages(
    connection_id: IdPath,
    call: Admin,
    status: Annotated[MessageStatus | None, Query()] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    with call.tx(read_only=True) as tx:
        connections.get(tx, connection_id)
        where = [ResultMessageRow.connection_id == connection_id]
        if status:
            where.append(ResultMessageRow.status == status)
        return _messages(tx, *where, limit=limit, offset=offset)


@router.post(
    "/hospital-connections/{connection_id}/result-messages/{message_id}/redeliver",
    status_code=202,
    response_model=ResultMessageOut,
    responses={**AUTHED, **NOT_FOUND, **CONFLICT},
    summary="Send a failed result again now, with the same MSH-10, before the patient's later results",
)
def redeliver_message(connection_id: IdPath, message_id: MessageId, call: Admin) -> dict[str, Any]:
    with call.tx() as tx:
        return message_view(outbox.redeliver(tx, connection_id, message_id))


@router.get(
    "/care-flows/{care_flow_id}/result-messages",
    tags=["care flows"],
    response_model=ResultMessageList,
    responses={**AUTHED, **NOT_FOUND},
    summary="The care flow's results sent to the hospital: delivered, pending, or failed with the reason",
)
def care_flow_messages(
    care_flow_id: IdPath, call: Clinical, limit: Limit = 100, offset: Offset = 0
) -> dict[str, Any]:
    with call.tx() as tx:
        engine.get(tx, care_flow_id)  # 404, and the audit row of a care flow viewed
        return _messages(tx, ResultMessageRow.care_flow_id == care_flow_id, limit=limit, offset=offset)


@router.get(
    "/care-flows/{care_flow_id}/responses",
    tags=["care flows"],
    response_class=JSONResponse,
    responses={
        **AUTHED,
        **NOT_FOUND,
        200: {
            "description": "A FHIR R4 Bundle (collection)",
            "content": {FHIR_JSON: {"schema": {"type": "object"}}},
        },
    },
    summary="The care flow's form responses as FHIR R4 QuestionnaireResponses and its scores as Observations",
)
def care_flow_responses(care_flow_id: IdPath, call: Clinical) -> JSONResponse:
    with call.tx() as tx:
        flow = engine.get(tx, care_flow_id)
        done = tx.session.scalars(
            select(ActivityRow.id)
            .where(
                ActivityRow.care_flow_id == flow.id,
                ActivityRow.status == ActivityStatus.DONE.value,
                ActivityRow.type.in_((ActivityType.FORM.value, ActivityType.CALCULATION.value)),
            )
            # A form before the scores calculated from it in the same move.
            .order_by(ActivityRow.completed_at, ActivityRow.type != ActivityType.FORM.value, ActivityRow.id)
        ).all()
        resources: list[dict[str, Any]] = []
        for activity_id in done:
            record = results.read(tx, activity_id)
            if record is not None:
                resources += fhir_results.resources(record, activity_id, tx.config.public_url)
        bundle = fhir_results.collection(resources, tx.now)
    return JSONResponse(bundle, media_type=FHIR_JSON)
