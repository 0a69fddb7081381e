"""Request and response bodies of the hosted pages API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from careapp.server.schemas.common import WEB_ADDRESS_SCHEMA, Input
from careapp.server.schemas.patients import IdentifierIn

SessionStatus = Literal["active", "completed", "expired"]
Stakeholder = Literal["patient", "clinician"]
Language = Literal["en", "nl", "fr", "de", "es", "pl"]  # PATIENT_LANGUAGES, spelled out for OpenAPI


def _web_address(url: str) -> str:
    """Where a patient is sent afterwards: an absolute http(s) address without credentials."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc or parts.username or parts.password:
        raise ValueError("must be an absolute http(s) URL without credentials")
    if any(ord(ch) < 33 for ch in url):
        raise ValueError("must not contain spaces or control characters")
    return url


ReturnUrl = Annotated[
    str,
    StringConstraints(max_length=2000),
    AfterValidator(_web_address),
    Field(json_schema_extra=WEB_ADDRESS_SCHEMA),
]
CareFlowId = Annotated[str, StringConstraints(min_length=1, max_length=36)]


class SessionCreate(Input):
    care_flow_id: CareFlowId
    stakeholder: Stakeholder = "patient"
    success_url: ReturnUrl | None = Field(None, description="Where the patient goes once everything is done.")
    cancel_url: ReturnUrl | None = Field(None, description="Where the patient goes when the session expired.")
    language: Language | None = Field(None, description="Page language; the browser's when omitted.")
    ttl_seconds: int = Field(
        3600, ge=60, le=3600, description="Lifetime after creation and after each completed activity."
    )


class SessionOut(BaseModel):
    id: str
    care_flow_id: str
    patient_id: str
    stakeholder: Stakeholder
    origin: Literal["api", "link", "enrollment"]
    status: SessionStatus
    url: str | None = Field(None, description="The session's page. Only in the response that created it.")
    success_url: str | None
    cancel_url: str | None
    language: Language | None
    ttl_seconds: int
    created_at: datetime
    expires_at: datetime = Field(
        description="When an active session expires unless an activity is completed."
    )
    ended_at: datetime | None
    next_opens_at: datetime | None = Field(
        None,
        description="Only in the response that created a session which ended at once (nothing "
        "pending for the stakeholder): when the care flow's next activity for them opens; null "
        "when none is scheduled.",
    )


class LinkOut(BaseModel):
    care_flow_id: str
    url: str | None = Field(description="The live link; null once revoked and not re-issued.")
    created_at: datetime
    revoked_at: datetime | None
    key_version: int


class EnrollmentLinkCreate(Input):
    external_id: IdentifierIn | None = Field(
        None,
        description="Bind the link to this patient identifier (e.g. an MRN). It is encrypted into the "
        "link, never readable in it. Omit for a generic link (a waiting-room poster).",
    )


class EnrollmentLinkOut(BaseModel):
    id: str
    definition_id: str
    bound_to_patient: bool
    created_at: datetime
    revoked_at: datetime | None
