"""Request and response shapes of the promotion API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from careapp.server.schemas.careflows import DOCUMENT_HELP, DefinitionId
from careapp.server.schemas.common import Input, Name, Uri

Region = Literal["eu", "uk", "us"]
Environment = Literal["sandbox", "production"]
PromotionId = Annotated[
    str, StringConstraints(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
]
Hash = Annotated[str, StringConstraints(pattern=r"^sha256:[0-9a-f]{64}$")]
PeerUrl = Annotated[str, StringConstraints(max_length=500, pattern=r"^https?://[\x21-\x7e]+$")]


class Peer(Input):
    region: Region
    environment: Environment
    url: PeerUrl | None = Field(None, description="The other deployment's base URL, for the record.")


class PeerOut(BaseModel):
    region: str
    environment: str
    url: str | None


class ExportRequest(Input):
    care_flow_definition_id: DefinitionId
    destination: Peer


class IdentifierSystemIn(Input):
    name: Name
    uri: Uri


class Snapshot(Input):
    """A snapshot of the source's working version: never a concealed constant's value."""

    format: Literal["careapp.promotion/1"] = "careapp.promotion/1"
    promotion_id: PromotionId
    definition_id: DefinitionId
    source: Peer
    source_revision: Annotated[int, Field(ge=1, le=1_000_000_000)]
    content_hash: Hash
    document: dict[str, Any] = Field(
        description=DOCUMENT_HELP + " Non-concealed constants carry their values; concealed ones only keys.",
        max_length=100,
    )
    identifier_systems: list[IdentifierSystemIn] = Field(default_factory=list, max_length=1000)
    exported_at: datetime


class ImportRequest(Input):
    snapshot: Snapshot
    allow_production_to_sandbox: bool = Field(
        False, description="Needed to promote from Production back to Sandbox (overwrites Sandbox)."
    )


class ConstantResult(BaseModel):
    key: str
    concealed: bool
    outcome: Literal["copied", "blank", "kept"] = Field(
        description="copied from the source; arrived blank (concealed or blank there); kept (already set)."
    )


class MissingSystem(BaseModel):
    name: str
    uri: str
    reason: Literal["absent", "different_name"]


class ImportResult(BaseModel):
    promotion_id: str
    definition_id: str
    created: bool = Field(description="The definition did not exist here and was created.")
    working_revision: int
    live_version: int | None = Field(description="Untouched by promotion: publish to enroll patients.")
    published_versions: list[int]
    constants: list[ConstantResult]
    constants_needing_values: list[str] = Field(description="Keys still blank here: set them before use.")
    missing_identifier_systems: list[MissingSystem]
    warning: str | None = None


class CompletionRequest(Input):
    destination_working_revision: Annotated[int, Field(ge=1, le=1_000_000_000)]
    created: bool
    constants_needing_values: list[Annotated[str, StringConstraints(max_length=64)]] = Field(
        default_factory=list, max_length=1000
    )
    missing_identifier_systems: list[Annotated[str, StringConstraints(max_length=500)]] = Field(
        default_factory=list, max_length=1000, description="URIs of the systems the destination lacks."
    )


class PromotionOut(BaseModel):
    promotion_id: str
    direction: Literal["out", "in"]
    definition_id: str
    peer: PeerOut
    source_revision: int
    content_hash: str
    working_revision: int | None
    status: Literal["exported", "completed", "imported"]
    at: datetime
    completed_at: datetime | None


class PromotionList(BaseModel):
    items: list[PromotionOut]


class LastPromotion(BaseModel):
    promotion_id: str
    peer: PeerOut = Field(description="Where it went (out) or came from (in).")
    at: datetime
    source_revision: int
    content_hash: str = Field(description="The source working version's content hash at the snapshot.")
    changed_since: bool = Field(description="This deployment's working version changed since then.")


class DefinitionPromotionStatus(BaseModel):
    definition_id: str
    title: str | dict[str, str]
    live_version: int | None = Field(description="The published version patients are enrolled in here.")
    published_versions: list[int]
    working_revision: int
    working_hash: str
    last_promoted_out: LastPromotion | None = Field(description="Last completed promotion from here.")
    last_promoted_in: LastPromotion | None = Field(description="Last promotion into here.")
    changed_since_promotion: bool | None = Field(
        description="The working version changed since the most recent promotion (out or in); "
        "null when never promoted."
    )


class PromotionStatus(BaseModel):
    region: str
    environment: str
    items: list[DefinitionPromotionStatus]
