"""Build one API call from its activity definition and the constants, and send it."""

from __future__ import annotations

from dataclasses import dataclass

import requests

from careapp.domain.careflow import ActivityStatus, ActivityType, constant_references, render_template
from careapp.server.context import Tx
from careapp.server.models import ActivityRow, CareFlowRow
from careapp.server.services import constant_values, definitions

TIMEOUT = (5.0, 15.0)  # connect, read


@dataclass(frozen=True)
class PreparedCall:
    method: str
    url: str
    headers: dict[str, str]
    body: bytes | None
    # Constants the call needs but that have no value here (e.g. concealed ones after promotion).
    missing: tuple[str, ...] = ()

    def __repr__(self) -> str:  # never print a secret by accident
        return f"PreparedCall({self.method}, missing={self.missing})"


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str | None  # the kind only: error messages may quote the URL and its secrets

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def prepare(tx: Tx, activity_id: str) -> PreparedCall | None:
    """The request for ACTIVITY_ID, or None when it is no longer waiting to be performed."""
    activity = tx.session.get(ActivityRow, activity_id)
    if activity is None or activity.status != ActivityStatus.ACTIVE or activity.type != ActivityType.API_CALL:
        return None
    flow = tx.session.get(CareFlowRow, activity.care_flow_id)
    assert flow is not None
    doc = definitions.document(tx.services, tx.session, flow.definition_id, flow.version)
    found = doc.activity(activity.activity_key)
    if found is None or found[1].request is None:
        return None
    request = found[1].request
    values = constant_values.for_engine(tx, flow.definition_id)
    needed = {k for t in request.templates() for k in constant_references(t)}
    missing = tuple(sorted(k for k in needed if not values.get(k)))
    headers = {name: render_template(value, values) for name, value in request.headers}
    body = None
    if request.body is not None:
        body = render_template(request.body, values).encode()
        if not any(name.lower() == "content-type" for name in headers):
            headers["Content-Type"] = "application/json"
    return PreparedCall(request.method, render_template(request.url, values), headers, body, missing)


def perform(call: PreparedCall, http: requests.Session) -> Outcome:
    if call.missing:
        return Outcome(None, "missing-constant")
    if not call.url.startswith(("http://", "https://")):
        return Outcome(None, "invalid-url")
    try:
        # No redirects: a redirect would carry the secret headers to wherever it points.
        response = http.request(
            call.method,
            call.url,
            headers=call.headers,
            data=call.body,
            timeout=TIMEOUT,
            allow_redirects=False,
        )
        response.close()
    except (requests.RequestException, ValueError) as exc:
        return Outcome(None, type(exc).__name__[:100])
    return Outcome(response.status_code, None if 200 <= response.status_code < 300 else "status")
