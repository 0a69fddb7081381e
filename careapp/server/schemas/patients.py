"""Patients and the hospital push."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, StringConstraints, field_validator
from pydantic.json_schema import JsonDict

from careapp.domain.identifiers import Identifier, InvalidIdentifier
from careapp.server.schemas.careflows import CareFlowOut
from careapp.server.schemas.common import Email, Input, JsonObject, Name, Page, Telephone, Uri, text
from careapp.server.schemas.directory import PhysicianCreate

Sex = Literal["male", "female", "other", "unknown"]
Language = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$")]


def _past(value: date | None) -> date | None:
    if value is not None and (value > date.today() or value.year < 1850):
        raise ValueError("must be a date between 1850 and today")
    return value


def _iso_text(value: Any) -> Any:
    # A number is not a date (pydantic would read 0 as 1970-01-01); the schema says a string.
    if value is not None and not isinstance(value, (str, date)):
        raise ValueError("must be a date as YYYY-MM-DD")
    return value


# The years _past accepts, for the schema (as of start-up; the day within this year it cannot say).
_BIRTH_YEARS = "|".join(str(year) for year in range(1850, date.today().year + 1))
BirthDate = Annotated[
    date | None,
    BeforeValidator(_iso_text),
    AfterValidator(_past),
    Field(json_schema_extra={"pattern": f"^({_BIRTH_YEARS})-"}),
]
# The same identifier twice is refused on create and update (services.patients): say so.
_DISTINCT: JsonDict = {"uniqueItems": True}


class IdentifierIn(Input):
    system: Uri
    value: Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^\S(.*\S)?$")]

    @field_validator("system")
    @classmethod
    def _absolute(cls, system: str) -> str:
        try:
            Identifier(system, "x")
        except InvalidIdentifier as exc:
            raise ValueError(str(exc)) from exc
        return system


class IdentifierOut(BaseModel):
    system: str
    value: str


class Demographics(Input):
    family_name: Name
    given_name: text(200, required=False) = ""  # type: ignore[valid-type]  # text() builds an Annotated type at run time; mypy reads annotations statically
    birth_date: BirthDate = None
    sex: Sex = "unknown"
    phone: Telephone | None = None
    email: Email | None = None
    address: text(500, required=False) | None = None  # type: ignore[valid-type]  # text() builds an Annotated type at run time; mypy reads annotations statically
    language: Language | None = None
    physician_id: Annotated[str, StringConstraints(max_length=36)] | None = None


class PatientCreate(Demographics):
    identifiers: list[IdentifierIn] = Field(min_length=1, max_length=10, json_schema_extra=_DISTINCT)


class PatientUpdate(Input):
    version: int = Field(ge=1, le=2**31 - 1, description="The version you read; a stale one gets 409.")
    family_name: Name | None = None
    given_name: text(200, required=False) | None = None  # type: ignore[valid-type]  # text() builds an Annotated type at run time; mypy reads annotations statically
    birth_date: BirthDate = None
    sex: Sex | None = None
    phone: Telephone | None = None
    email: Email | None = None
    address: text(500, required=False) | None = None  # type: ignore[valid-type]  # text() builds an Annotated type at run time; mypy reads annotations statically
    language: Language | None = None
    physician_id: Annotated[str, StringConstraints(max_length=36)] | None = None
    identifiers: list[IdentifierIn] | None = Field(
        None,
        min_length=1,
        max_length=10,
        json_schema_extra=_DISTINCT,
        description="Replaces the identifiers when given.",
    )


class PatientOut(BaseModel):
    id: str
    version: int
    family_name: str
    given_name: str
    birth_date: date | None
    sex: Sex
    phone: str | None
    email: str | None
    address: str | None
    language: str | None
    physician_id: str | None
    identifiers: list[IdentifierOut]
    created_at: datetime
    updated_at: datetime


class PatientList(Page):
    items: list[PatientOut]


class PushCareFlow(Input):
    definition_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    baseline: JsonObject = Field(default_factory=dict)
    reuse_open: bool = Field(
        True,
        description="Return the patient's open care flow of this definition instead of starting another.",
    )


class PushPatient(Demographics):
    identifiers: list[IdentifierIn] = Field(default_factory=list, max_length=10)


class PatientPush(Input):
    identifier: IdentifierIn = Field(description="The identifier the hospital knows the patient by.")
    patient: PushPatient
    physician_code: Annotated[str, StringConstraints(min_length=1, max_length=100)] | None = None
    physician: PhysicianCreate | None = Field(
        None,
        description="The responsible physician by code and name, created when new (else physician_code).",
    )
    care_flow: PushCareFlow | None = None


class PatientPushResult(BaseModel):
    patient: PatientOut
    patient_created: bool
    care_flow: CareFlowOut | None = None
    care_flow_created: bool = False


def patient_fields(model: Demographics | PatientUpdate) -> dict[str, Any]:
    """The demographic fields explicitly given in MODEL (None clears an optional field)."""
    names = set(Demographics.model_fields) - {"physician_id"}
    return {k: v for k, v in model.model_dump(exclude_unset=True).items() if k in names}
