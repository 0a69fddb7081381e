"""Request and response bodies of /v1/hospital-connections and the result messages."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic.json_schema import JsonDict

from careapp.integrations.hl7.codec import TABLE_0211, UNDECODABLE_0211
from careapp.server.schemas.common import Input, Page, Uri, text

AdtEvent = Literal["A01", "A03", "A04", "A08", "A11", "A40"]
ResultTransport = Literal["hl7", "fhir", "none"]
MessageStatus = Literal["pending", "delivered", "failed"]
# An HL7 application or facility name (HD-1): printable, no delimiters.
HdName = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"^[^|^~\\&\x00-\x1f]+$")]
# One or more PEM certificates; whether they parse is told on the delivery (a schema cannot say).
PemCertificates = Annotated[
    str,
    StringConstraints(
        max_length=65536,
        pattern=r"^\s*-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s-]+-----END CERTIFICATE-----\s*$",
    ),
]
# A field of a message: PV1-45, PV1-3.1.
FieldRef = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9]{2}-[1-9][0-9]{0,2}(\.[1-9][0-9]?)?$")]


# MSH-18 values we can write (HL7 table 0211): a closed list, so the schema says what is valid.
if TYPE_CHECKING:
    Charset = str  # the decodable names of HL7 table 0211: a Literal built at run time, below
else:
    Charset = Literal[tuple(name for name in TABLE_0211 if name not in UNDECODABLE_0211)]
# What a transport needs, said in the schema too (JSON Schema if/then), so that no request the
# document calls valid is refused.
_TRANSPORT_NEEDS: JsonDict = {
    "allOf": [
        {
            "if": {"properties": {"results": {"const": "hl7"}}},
            "then": {
                "required": ["mllp_host", "mllp_port"],
                "properties": {"mllp_host": {"type": "string"}, "mllp_port": {"type": "integer"}},
            },
        },
        {
            "if": {"properties": {"results": {"const": "fhir"}}, "required": ["results"]},
            "then": {"required": ["fhir_url"], "properties": {"fhir_url": {"type": "string"}}},
        },
    ]
}


class IdentifierRuleIn(Input):
    authority: Annotated[str, StringConstraints(min_length=1, max_length=100)] = Field(
        description="CX-4 assigning authority, or * for any."
    )
    type_code: Annotated[str, StringConstraints(min_length=1, max_length=10)] = Field(
        description="CX-5, e.g. PI"
    )
    system: Uri


class BaselineFrom(Input):
    data_point: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")] = Field(
        description="The baseline data point's key, e.g. discharge_date."
    )
    field: FieldRef = Field(description="The field of the message it is read from, e.g. PV1-45.")


class AdtRule(Input):
    event: AdtEvent = Field(description="The trigger event (MSH-9.2).")
    ward: Annotated[str, StringConstraints(min_length=1, max_length=100)] | None = Field(
        None, description="Only when PV1-3.1 (point of care) is this ward."
    )
    action: Literal["start", "stop"]
    definition_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    baseline: list[BaselineFrom] = Field(
        default_factory=list, max_length=50, description="Baseline data points from fields of the message."
    )


class HospitalConnectionIn(Input):
    model_config = ConfigDict(extra="forbid", json_schema_extra=_TRANSPORT_NEEDS)

    name: text(200)  # type: ignore[valid-type]  # text() builds an Annotated type at run time; mypy reads annotations statically
    enabled: bool = True
    patient_id_system: Uri = Field(description="Results go to patients with an identifier of this system.")
    visit_number_system: Uri | None = None
    identifier_rules: list[IdentifierRuleIn] = Field(
        default_factory=list,
        max_length=20,
        description="PID-3 CX → identifier system; empty: the hospital facility's PI and MR are the "
        "patient id, its VN the visit number.",
    )
    results: ResultTransport = "hl7"
    mllp_host: Annotated[str, StringConstraints(min_length=1, max_length=255)] | None = None
    mllp_port: Annotated[int, Field(ge=1, le=65535)] | None = None
    mllp_tls: bool = Field(False, description="MLLP over TLS to the hospital.")
    mllp_tls_ca: PemCertificates | None = Field(
        None,
        description="PEM certificates trusted for MLLP over TLS instead of the system's trust store: "
        "the hospital's CA, or its self-signed certificate. Its host name or IP must match mllp_host.",
    )
    fhir_url: Uri | None = Field(None, description="FHIR R4 base the results are POSTed to (results=fhir).")
    our_application: HdName = "CAREAPP"
    our_facility: HdName = "CAREAPP"
    hospital_application: HdName
    hospital_facility: HdName
    charset: Charset = Field("UNICODE UTF-8", description="MSH-18 of what we send (HL7 table 0211).")
    adt_rules: list[AdtRule] = Field(default_factory=list, max_length=100)

    @model_validator(mode="after")
    def _transport(self) -> HospitalConnectionIn:
        if self.results == "hl7" and (self.mllp_host is None or self.mllp_port is None):
            raise ValueError("results over hl7 need mllp_host and mllp_port")
        if self.results == "fhir" and self.fhir_url is None:
            raise ValueError("results over fhir need fhir_url")
        return self


class HospitalConnectionOut(HospitalConnectionIn):
    id: str
    created_at: datetime
    updated_at: datetime


class HospitalConnectionList(Page):
    items: list[HospitalConnectionOut]


class ResultMessageOut(BaseModel):
    id: int
    connection_id: str
    care_flow_id: str
    activity_id: str
    kind: Literal["form_response", "score"]
    transport: Literal["hl7", "fhir"]
    control_id: str = Field(description="MSH-10 (FHIR: the Bundle's identifier): the same on every attempt.")
    status: MessageStatus
    attempts: int
    ack_code: str | None = Field(description="MSA-1 (AA, AE, AR) or the FHIR server's HTTP status.")
    last_error: str | None = Field(description="Why it failed or is being retried: the hospital's reason.")
    created_at: datetime
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    delivered_at: datetime | None


class ResultMessageList(Page):
    items: list[ResultMessageOut]
