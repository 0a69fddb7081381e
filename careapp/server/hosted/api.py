"""/v1 endpoints: hosted pages sessions, static links (get, revoke, re-issue), enrollment links."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from careapp.domain.careflow import Stakeholder
from careapp.domain.hosted_sessions import SessionOrigin
from careapp.server import idempotency
from careapp.server.api.common import (
    AUTHED,
    CONFLICT,
    CREATING_DOCUMENTED,
    NOT_FOUND,
    WITH_BODY,
    Fingerprint,
    PatientDataCreating,
)
from careapp.server.auth import Access, caller
from careapp.server.context import Call, Tx
from careapp.server.engine.timeline import next_patient_opening
from careapp.server.hosted import enrollment, sessions, sweeper
from careapp.server.hosted.schemas import (
    EnrollmentLinkCreate,
    EnrollmentLinkOut,
    LinkOut,
    SessionCreate,
    SessionOut,
)
from careapp.server.idempotency import IdempotencyKey, Outcome
from careapp.server.models import CareFlowRow, EnrollmentLinkRow, HostedPagesLinkRow, HostedPagesSessionRow
from careapp.server.problems import ProblemError
from careapp.server.schemas.common import IdPath
from careapp.server.services import links
from careapp.server.services.common import get_or_404, invalid

router = APIRouter(tags=["hosted pages"], lifespan=sweeper.lifespan)  # expires abandoned sessions
Clinical = Annotated[Call, Depends(caller(Access.PATIENT_DATA))]


_SESSION_FIELDS = (
    "id",
    "care_flow_id",
    "patient_id",
    "stakeholder",
    "origin",
    "status",
    "success_url",
    "cancel_url",
    "language",
    "ttl_seconds",
    "created_at",
    "expires_at",
    "ended_at",
)


def session_view(row: HostedPagesSessionRow | dict[str, Any], url: str | None = None) -> dict[str, Any]:
    """A session as the API shows it (from a row, or from the fields just inserted)."""
    fields = row if isinstance(row, dict) else {k: getattr(row, k) for k in _SESSION_FIELDS}
    return {**{k: fields[k] for k in _SESSION_FIELDS}, "url": url}


class _JsonReady(Outcome):
    """An outcome whose body is JSON types already: no walk through jsonable_encoder."""

    def content(self) -> Any:
        return self.body


def _json_ready(view: dict[str, Any]) -> dict[str, Any]:
    """VIEW with its datetimes as jsonable_encoder writes them (isoformat); the rest is JSON."""
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in view.items()}


def link_view(tx: Tx, row: HostedPagesLinkRow) -> dict[str, Any]:
    return {
        "care_flow_id": row.care_flow_id,
        "url": None if row.revoked_at else links.url_of(tx.services, row),
        "created_at": row.created_at,
        "revoked_at": row.revoked_at,
        "key_version": row.key_version,
    }


def enrollment_view(row: EnrollmentLinkRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "definition_id": row.definition_id,
        "bound_to_patient": row.bound_to_patient,
        "created_at": row.created_at,
        "revoked_at": row.revoked_at,
    }


@router.post(
    "/hosted-pages-sessions",
    status_code=201,
    response_model=SessionOut,
    responses={**WITH_BODY, **CONFLICT},
    summary="Start a hosted pages session for one stakeholder of a care flow; send the patient to its url",
    openapi_extra=CREATING_DOCUMENTED,
)
def create_session(body: SessionCreate, creating: PatientDataCreating) -> JSONResponse:

    def work(tx: Tx) -> Outcome:
        found = sessions.flow_with_pending(tx, body.care_flow_id, body.stakeholder)
        if found is None:
            raise invalid("unknown-care-flow", "care_flow_id is not a known care flow.")
        flow, waiting = found
        new = sessions.start(
            tx,
            flow,
            pending_now=waiting,
            stakeholder=body.stakeholder,
            origin=SessionOrigin.API,
            success_url=body.success_url,
            cancel_url=body.cancel_url,
            language=body.language,
            ttl=timedelta(seconds=body.ttl_seconds),
        )
        view = session_view(new.fields, new.url)
        if not waiting:  # nothing to do now: say when there will be (off the hot path)
            row = tx.session.get_one(CareFlowRow, flow.id)
            view["next_opens_at"] = next_patient_opening(tx, row, Stakeholder(body.stakeholder))
        return _JsonReady(201, _json_ready(view), {"Location": f"/v1/hosted-pages-sessions/{new.id}"})

    return idempotency.run(creating.call, creating.key, creating.fingerprint, work)


@router.get(
    "/hosted-pages-sessions/{session_id}",
    response_model=SessionOut,
    responses={**AUTHED, **NOT_FOUND},
    summary="Read a session back; an expired one reads as expired at once",
)
def get_session(session_id: IdPath, call: Clinical) -> dict[str, Any]:
    with call.tx() as tx:
        row = get_or_404(tx.session, HostedPagesSessionRow, session_id, "hosted pages session")
        sessions.refresh(tx, row)
        tx.audit(
            "hosted_pages_session.viewed",
            patient_id=row.patient_id,
            resource_type="care_flow",
            resource_id=row.care_flow_id,
        )
        return session_view(row)


def _flow(tx: Tx, care_flow_id: str) -> CareFlowRow:
    return get_or_404(tx.session, CareFlowRow, care_flow_id, "care flow", for_update=True)


@router.get(
    "/care-flows/{care_flow_id}/hosted-pages-link",
    response_model=LinkOut,
    responses={**AUTHED, **NOT_FOUND},
    summary="The care flow's static hosted pages link",
)
def get_link(care_flow_id: IdPath, call: Clinical) -> dict[str, Any]:
    with call.tx() as tx:
        flow = get_or_404(tx.session, CareFlowRow, care_flow_id, "care flow")
        row = links.live(tx, flow.id)
        if row is None:
            raise ProblemError(404, "no-live-link", "The link was revoked; issue a new one.")
        tx.audit(
            "hosted_pages_link.shown",
            patient_id=flow.patient_id,
            resource_type="care_flow",
            resource_id=flow.id,
        )
        return link_view(tx, row)


@router.post(
    "/care-flows/{care_flow_id}/hosted-pages-link",
    status_code=201,
    response_model=LinkOut,
    responses={**WITH_BODY, **NOT_FOUND, **CONFLICT},
    summary="Issue a new static link; the current one (if any) is revoked and its open sessions end",
)
def reissue_link(
    care_flow_id: IdPath, call: Clinical, fingerprint: Fingerprint, key: IdempotencyKey = None
) -> JSONResponse:
    def work(tx: Tx) -> Outcome:
        flow = _flow(tx, care_flow_id)
        old = links.revoke(tx, flow)
        if old is not None:
            sessions.end_for_link(tx, old.id)
        row, _url = links.issue(tx, flow)
        tx.session.flush()
        return Outcome(201, link_view(tx, row))

    return idempotency.run(call, key, fingerprint, work)


@router.post(
    "/care-flows/{care_flow_id}/hosted-pages-link/revoke",
    response_model=LinkOut,
    responses={**WITH_BODY, **NOT_FOUND, **CONFLICT},
    summary="Revoke the static link; the patient then sees a 'no longer valid' page",
)
def revoke_link(
    care_flow_id: IdPath, call: Clinical, fingerprint: Fingerprint, key: IdempotencyKey = None
) -> JSONResponse:
    def work(tx: Tx) -> Outcome:
        flow = _flow(tx, care_flow_id)
        row = links.revoke(tx, flow)
        if row is None:
            raise ProblemError(404, "no-live-link", "The care flow has no live link.")
        sessions.end_for_link(tx, row.id)
        return Outcome(200, link_view(tx, row))

    return idempotency.run(call, key, fingerprint, work)


@router.post(
    "/care-flow-definitions/{definition_id}/enrollment-links",
    status_code=201,
    response_class=PlainTextResponse,
    responses={
        **WITH_BODY,
        **NOT_FOUND,
        201: {"content": {"text/plain": {"schema": {"type": "string"}}}, "description": "The link."},
    },
    summary="Mint an enrollment link (the response body is the link as text)",
)
def create_enrollment_link(
    definition_id: IdPath,
    call: Clinical,
    fingerprint: Fingerprint,
    body: EnrollmentLinkCreate | None = None,
    key: IdempotencyKey = None,
) -> Response:
    external = body.external_id if body else None

    def work(tx: Tx) -> Outcome:
        row, url = enrollment.mint(tx, definition_id, (external.system, external.value) if external else None)
        return Outcome(201, url, {"Location": f"/v1/enrollment-links/{row.id}"})

    answer = idempotency.run(call, key, fingerprint, work)
    # Idempotency stores JSON; the link itself goes out as plain text, replay or not.
    headers = {
        k: v
        for k, v in answer.headers.items()
        if k.lower() in ("location", idempotency.REPLAY_HEADER.lower())
    }
    return PlainTextResponse(json.loads(bytes(answer.body)), status_code=answer.status_code, headers=headers)


@router.get(
    "/enrollment-links/{link_id}",
    response_model=EnrollmentLinkOut,
    responses={**AUTHED, **NOT_FOUND},
)
def get_enrollment_link(link_id: IdPath, call: Clinical) -> dict[str, Any]:
    with call.tx() as tx:
        return enrollment_view(get_or_404(tx.session, EnrollmentLinkRow, link_id, "enrollment link"))


@router.post(
    "/enrollment-links/{link_id}/revoke",
    response_model=EnrollmentLinkOut,
    responses={**WITH_BODY, **NOT_FOUND, **CONFLICT},
    summary="Revoke an enrollment link (e.g. a poster that went up in the wrong place)",
)
def revoke_enrollment_link(
    link_id: IdPath, call: Clinical, fingerprint: Fingerprint, key: IdempotencyKey = None
) -> JSONResponse:
    return idempotency.run(
        call, key, fingerprint, lambda tx: Outcome(200, enrollment_view(enrollment.revoke(tx, link_id)))
    )
