"""Care flows and activities as the API shows them: the engine's document and values, the live link.

Shared by the care flow and patient routers and by the hospital push (``patients.apply_push``)."""

from __future__ import annotations

from typing import Any

from careapp.server import engine
from careapp.server.context import Tx
from careapp.server.engine.timeline import digests, timeline
from careapp.server.models import ActivityRow, CareFlowRow
from careapp.server.services import constant_values, links, views


def flow_view(tx: Tx, flow: CareFlowRow) -> dict[str, Any]:
    view = views.care_flow(flow, engine.document_of(tx, flow), views.data_point_values(tx.session, flow))
    return {**view, "hosted_pages_link": links.current_url(tx, flow.id)}


def flow_detail(tx: Tx, flow: CareFlowRow) -> dict[str, Any]:
    """FLOW with its timeline, scores and alerts (GET /v1/care-flows/{id})."""
    doc, values = engine.document_of(tx, flow), views.data_point_values(tx.session, flow)
    view = views.care_flow(flow, doc, values)
    return {**view, "hosted_pages_link": links.current_url(tx, flow.id), **timeline(tx, flow, doc, values)}


def flow_views(tx: Tx, flows: list[CareFlowRow]) -> list[dict[str, Any]]:
    """flow_view of each of FLOWS with its scores, alerts and scheduled steps (what a workstation
    caches); their static links and digests read in one query each (lists, feed pages)."""
    urls = links.current_urls(tx, {f.id for f in flows})
    docs = {f.id: engine.document_of(tx, f) for f in flows}
    values = {f.id: views.data_point_values(tx.session, f) for f in flows}
    extra = digests(tx, flows, docs, values)
    return [
        {**views.care_flow(f, docs[f.id], values[f.id]), "hosted_pages_link": urls.get(f.id), **extra[f.id]}
        for f in flows
    ]


def activity_view(tx: Tx, row: ActivityRow) -> dict[str, Any]:
    flow = tx.session.get(CareFlowRow, row.care_flow_id)
    assert flow is not None
    view = views.activity(row, engine.document_of(tx, flow), engine.response_of(tx, row.id))
    return constant_values.render_activity(tx, flow.definition_id, view)
