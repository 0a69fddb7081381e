"""Hosted pages calls of the regional backend: sessions, static links, enrollment links.

Every call blocks on the network: run it off the GUI thread. The returned URLs carry the
patient's access token: never log them or write them to the audit log.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from careapp.backend.client import BackendClient
from careapp.backend.errors import ServerError
from careapp.domain.forms import PATIENT_LANGUAGES

ACTIVE, COMPLETED, EXPIRED = "active", "completed", "expired"
PAGE_LANGUAGES = frozenset(PATIENT_LANGUAGES)


@dataclass(frozen=True, slots=True)
class HostedSession:
    """A hosted pages session. ``url`` is only known from the response that created it."""

    id: str
    care_flow_id: str
    status: str
    url: str | None
    language: str | None
    created_at: datetime  # naive UTC, like every CareApp timestamp
    expires_at: datetime
    # A session that ended at once (nothing pending): when the next activity opens, if any is
    # scheduled. Only known from the response that created it.
    next_opens_at: datetime | None = None

    @property
    def is_active(self) -> bool:
        return self.status == ACTIVE


@dataclass(frozen=True, slots=True)
class StaticLink:
    care_flow_id: str
    url: str | None  # None once revoked and not re-issued
    created_at: datetime
    revoked_at: datetime | None


def page_language(language: str | None) -> str | None:
    """The hosted pages language for a BCP 47 tag ("nl-BE" → "nl"); None lets the phone choose."""
    if not language:
        return None
    primary = language.replace("_", "-").split("-", 1)[0].lower()
    return primary if primary in PAGE_LANGUAGES else None


def create_session(
    client: BackendClient,
    care_flow_remote_id: str,
    *,
    acting_user: str,
    language: str | None = None,
    stakeholder: str = "patient",
    success_url: str | None = None,
    cancel_url: str | None = None,
    ttl_seconds: int = 3600,
) -> HostedSession:
    """Start a session just in time. An Idempotency-Key makes the POST safe to retry."""
    body: dict[str, Any] = {
        "care_flow_id": care_flow_remote_id,
        "stakeholder": stakeholder,
        "ttl_seconds": ttl_seconds,
    }
    if (lang := page_language(language)) is not None:
        body["language"] = lang
    if success_url:
        body["success_url"] = success_url
    if cancel_url:
        body["cancel_url"] = cancel_url
    data = client.request(
        "POST",
        "/v1/hosted-pages-sessions",
        json_body=body,
        acting_user=acting_user,
        idempotency_key=uuid.uuid4().hex,
    )
    return _session(data)


def session_status(client: BackendClient, session_id: str, *, acting_user: str) -> HostedSession:
    """Read a session back; an expired one reads as expired at once (``url`` is None here)."""
    return _session(client.request("GET", f"/v1/hosted-pages-sessions/{session_id}", acting_user=acting_user))


def static_link(client: BackendClient, care_flow_remote_id: str, *, acting_user: str) -> StaticLink:
    """The care flow's static link; Rejected (404, slug ``no-live-link``) once it was revoked."""
    path = f"/v1/care-flows/{care_flow_remote_id}/hosted-pages-link"
    data = client.request("GET", path, acting_user=acting_user)
    return StaticLink(
        str(data["care_flow_id"]),
        data.get("url"),
        _utc(data["created_at"]),
        _utc(data["revoked_at"]) if data.get("revoked_at") else None,
    )


def enrollment_link(
    client: BackendClient,
    definition_id: str,
    external_id: tuple[str, str] | None = None,
    *,
    acting_user: str,
) -> str:
    """Mint an enrollment link for a care flow definition; EXTERNAL_ID = (system, value) binds it
    to one patient, None gives a generic link (a waiting-room poster)."""
    body: dict[str, Any] = {}
    if external_id is not None:
        body["external_id"] = {"system": external_id[0], "value": external_id[1]}
    path = f"/v1/care-flow-definitions/{definition_id}/enrollment-links"
    key = uuid.uuid4().hex  # a retry after a dropped answer gets the same link back
    link = client.request("POST", path, json_body=body, acting_user=acting_user, idempotency_key=key)
    if not isinstance(link, str) or not link.strip():
        raise ServerError("The backend sent no link.", 201)
    return link.strip()


def _session(data: dict[str, Any]) -> HostedSession:
    return HostedSession(
        str(data["id"]),
        str(data["care_flow_id"]),
        str(data["status"]),
        data.get("url"),
        data.get("language"),
        _utc(data["created_at"]),
        _utc(data["expires_at"]),
        _utc(data["next_opens_at"]) if data.get("next_opens_at") else None,
    )


def _utc(value: str) -> datetime:
    """An API timestamp as naive UTC (the API may or may not add an offset)."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed
