"""Care flows and their activities."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse, Response

from careapp.server import engine, idempotency
from careapp.server.api.common import (
    AUTHED,
    CONFLICT,
    CREATING_DOCUMENTED,
    NOT_FOUND,
    WITH_BODY,
    After,
    Fingerprint,
    Limit,
    Offset,
    PatientDataCreating,
)
from careapp.server.auth import Access, caller
from careapp.server.context import Call, Tx
from careapp.server.engine import scheduler
from careapp.server.idempotency import IdempotencyKey, Outcome
from careapp.server.schemas.careflows import (
    ActivityComplete,
    ActivityList,
    ActivityOut,
    BaselineIn,
    CareFlowDetail,
    CareFlowList,
    CareFlowOut,
    CareFlowStart,
    CareFlowStop,
    FormResponseIn,
)
from careapp.server.schemas.common import IdPath
from careapp.server.services import care_flow_starts
from careapp.server.services.care_flow_views import activity_view, flow_detail, flow_view, flow_views

router = APIRouter(lifespan=scheduler.lifespan)  # the scheduler fires care flows' due times
Clinical = Annotated[Call, Depends(caller(Access.PATIENT_DATA))]
FLOW_DOC = "care flows"
ACT_DOC = "activities"


@router.post(
    "/care-flows",
    tags=[FLOW_DOC],
    status_code=201,
    response_model=CareFlowOut,
    responses={
        **WITH_BODY,
        **CONFLICT,
        200: {"model": CareFlowOut, "description": "client_id names a care flow already started: that one."},
    },
    summary="Start a care flow; without every baseline data point it waits in missing_baseline_info",
    openapi_extra=CREATING_DOCUMENTED,
)
def start_care_flow(body: CareFlowStart, creating: PatientDataCreating) -> JSONResponse:
    def work(tx: Tx) -> Outcome:
        patient = engine.patient_to_enroll(tx, body.patient_id)
        flow, started = care_flow_starts.start_once(
            tx, patient, body.definition_id, body.version, body.baseline, body
        )
        return Outcome(
            201 if started else 200, flow_view(tx, flow), {"Location": f"/v1/care-flows/{flow.id}"}
        )

    return idempotency.run(creating.call, creating.key, creating.fingerprint, work)


@router.get(
    "/care-flows",
    tags=[FLOW_DOC],
    response_model=CareFlowList,
    responses=AUTHED,
    summary="Every care flow in id order, a keyset page at a time (a workstation's full resync)",
)
def list_care_flows(call: Clinical, after: After = None, limit: Limit = 500) -> dict[str, Any]:
    with call.tx() as tx:
        rows, total = engine.list_all(tx, after=after or "", limit=limit)
        return {"items": flow_views(tx, rows), "limit": limit, "offset": 0, "total": total}


@router.get(
    "/care-flows/{care_flow_id}",
    tags=[FLOW_DOC],
    response_model=CareFlowDetail,
    responses={**AUTHED, **NOT_FOUND},
    summary="A care flow with its timeline: steps, activities' opening and due times, scores, alerts",
)
def get_care_flow(care_flow_id: IdPath, call: Clinical) -> dict[str, Any]:
    with call.tx() as tx:
        return flow_detail(tx, engine.get(tx, care_flow_id))


@router.post(
    "/care-flows/{care_flow_id}/baseline",
    tags=[FLOW_DOC],
    response_model=CareFlowOut,
    responses={**WITH_BODY, **NOT_FOUND, **CONFLICT},
    summary="Give baseline data points; a waiting care flow starts once none are missing",
)
def give_baseline(
    care_flow_id: IdPath,
    body: BaselineIn,
    call: Clinical,
    fingerprint: Fingerprint,
    key: IdempotencyKey = None,
) -> JSONResponse:
    return idempotency.run(
        call,
        key,
        fingerprint,
        lambda tx: Outcome(200, flow_view(tx, engine.provide_baseline(tx, care_flow_id, body.baseline))),
    )


@router.post(
    "/care-flows/{care_flow_id}/stop",
    tags=[FLOW_DOC],
    response_model=CareFlowOut,
    responses={**WITH_BODY, **NOT_FOUND, **CONFLICT},
    summary="Stop a care flow; its open activities are canceled",
)
def stop_care_flow(
    care_flow_id: IdPath,
    call: Clinical,
    fingerprint: Fingerprint,
    body: CareFlowStop | None = None,
    key: IdempotencyKey = None,
) -> JSONResponse:
    reason = body.reason if body else None
    return idempotency.run(
        call, key, fingerprint, lambda tx: Outcome(200, flow_view(tx, engine.stop(tx, care_flow_id, reason)))
    )


@router.post(
    "/care-flows/{care_flow_id}/answers-viewed",
    tags=[FLOW_DOC],
    status_code=204,
    responses={**AUTHED, **NOT_FOUND},
    summary="Record in the audit trail that the acting user looked at the care flow's answers",
)
def record_answers_viewed(care_flow_id: IdPath, call: Clinical) -> Response:
    with call.tx() as tx:
        engine.answers_viewed(tx, care_flow_id)
    return Response(status_code=204)


@router.get(
    "/care-flows/{care_flow_id}/activities",
    tags=[ACT_DOC],
    response_model=ActivityList,
    responses={**AUTHED, **NOT_FOUND},
)
def list_care_flow_activities(
    care_flow_id: IdPath,
    call: Clinical,
    status: Annotated[str | None, Query(pattern="^(active|done|canceled|expired)$")] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    with call.tx() as tx:
        rows, total = engine.activities(
            tx, care_flow_id=care_flow_id, status=status, limit=limit, offset=offset
        )
        return {
            "items": [activity_view(tx, r) for r in rows],
            "limit": limit,
            "offset": offset,
            "total": total,
        }


@router.get(
    "/activities",
    tags=[ACT_DOC],
    response_model=ActivityList,
    responses=AUTHED,
    summary="Activities across care flows, e.g. the clinicians' open work list",
)
def list_activities(
    call: Clinical,
    patient_id: Annotated[str | None, Query(max_length=36)] = None,
    status: Annotated[str | None, Query(pattern="^(active|done|canceled|expired)$")] = None,
    stakeholder: Annotated[str | None, Query(pattern="^(patient|clinician)$")] = None,
    limit: Limit = 100,
    offset: Offset = 0,
    after: After = None,
) -> dict[str, Any]:
    with call.tx() as tx:
        rows, total = engine.activities(
            tx,
            patient_id=patient_id,
            status=status,
            stakeholder=stakeholder,
            limit=limit,
            offset=offset,
            after=after,
        )
        return {
            "items": [activity_view(tx, r) for r in rows],
            "limit": limit,
            "offset": offset,
            "total": total,
        }


@router.get(
    "/activities/{activity_id}", tags=[ACT_DOC], response_model=ActivityOut, responses={**AUTHED, **NOT_FOUND}
)
def get_activity(activity_id: IdPath, call: Clinical) -> dict[str, Any]:
    with call.tx() as tx:
        return activity_view(tx, engine.get_activity(tx, activity_id))


@router.post(
    "/activities/{activity_id}/complete",
    tags=[ACT_DOC],
    response_model=ActivityOut,
    responses={**WITH_BODY, **NOT_FOUND, **CONFLICT},
    summary="Complete a clinician's message or checklist, as the acting user",
)
def complete_activity(
    activity_id: IdPath,
    call: Clinical,
    fingerprint: Fingerprint,
    body: ActivityComplete | None = None,
    key: IdempotencyKey = None,
) -> JSONResponse:
    checked = body.checked_items if body else None
    return idempotency.run(
        call,
        key,
        fingerprint,
        lambda tx: Outcome(200, activity_view(tx, engine.complete(tx, activity_id, checked))),
    )


@router.post(
    "/activities/{activity_id}/form-response",
    tags=[ACT_DOC],
    response_model=ActivityOut,
    responses={**WITH_BODY, **NOT_FOUND, **CONFLICT},
    summary="Submit a form's answers; they are validated against the form",
)
def submit_form_response(
    activity_id: IdPath,
    body: FormResponseIn,
    call: Clinical,
    fingerprint: Fingerprint,
    key: IdempotencyKey = None,
) -> JSONResponse:
    def work(tx: Tx) -> Outcome:
        activity, _response = engine.submit_form(tx, activity_id, body.answers)
        return Outcome(200, activity_view(tx, activity))

    return idempotency.run(call, key, fingerprint, work)
