"""Users, identifier systems, physicians, workstations, health."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from careapp.server.schemas.common import Email, Input, Name, Page, Uri

Username = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,149}$")]
UserRole = Literal["clinician", "admin"]


class Health(BaseModel):
    status: Literal["ok"]
    region: str
    environment: str
    version: str
    database: str


class UserCreate(Input):
    username: Username
    display_name: Name
    role: UserRole = "clinician"
    email: Email | None = None


class UserUpdate(Input):
    display_name: Name | None = None
    role: UserRole | None = None
    email: Email | None = None
    active: bool | None = None


class UserOut(BaseModel):
    id: str
    username: str
    display_name: str
    role: UserRole
    email: str | None
    active: bool
    created_at: datetime
    updated_at: datetime
    deactivated_at: datetime | None


class UserList(Page):
    items: list[UserOut]


IdentifierKind = Literal["one_per_patient", "many_per_patient"]
_KIND = (
    "one_per_patient: a patient has one value (hospital patient id, national number) and a shared "
    "value makes two records one patient; many_per_patient (visit or account number, the default): "
    "never identifies a patient on its own."
)


class IdentifierSystemCreate(Input):
    name: Name
    uri: Uri = Field(description="Absolute URI, e.g. urn:oid:… or https://…")
    kind: IdentifierKind = Field("many_per_patient", description=_KIND)


class IdentifierSystemUpdate(Input):
    kind: IdentifierKind = Field(description=_KIND)


class IdentifierSystemOut(BaseModel):
    id: str
    name: str
    uri: str
    kind: IdentifierKind
    created_at: datetime


class IdentifierSystemList(BaseModel):
    items: list[IdentifierSystemOut]


class PhysicianCreate(Input):
    code: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}$")]
    name: Name


class PhysicianOut(BaseModel):
    id: str
    code: str
    name: str
    created_at: datetime


class PhysicianList(Page):
    items: list[PhysicianOut]


class WorkstationCreate(Input):
    name: Name


class PairingCodeOut(BaseModel):
    workstation_id: str
    name: str
    pairing_code: str = Field(description="Shown once; exchange it at POST /v1/workstations/pair.")
    expires_at: datetime


class PairRequest(Input):
    pairing_code: Annotated[str, StringConstraints(min_length=4, max_length=40)]
    name: Name | None = None
    region: Literal["eu", "uk", "us"] | None = Field(
        None, description="Refuse to pair unless the backend is in this region."
    )
    environment: Literal["sandbox", "production"] | None = None


class PairResult(BaseModel):
    workstation_id: str
    name: str
    credential: str = Field(
        description="Shown once. Send as 'Authorization: Bearer …'; keep it in the OS keyring."
    )
    region: str
    environment: str


class WorkstationOut(BaseModel):
    id: str
    name: str
    paired: bool
    revoked: bool
    created_at: datetime
    paired_at: datetime | None
    revoked_at: datetime | None


class WorkstationList(BaseModel):
    items: list[WorkstationOut]
