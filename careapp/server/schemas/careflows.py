"""Care flow definitions, care flows and activities."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from careapp.server.schemas.common import Count, Input, JsonObject, Page, text
from careapp.server.schemas.directory import PhysicianCreate

CareFlowStatus = Literal["active", "completed", "stopped", "missing_baseline_info"]
ActivityStatus = Literal["active", "done", "canceled", "expired"]
DefinitionId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
DOCUMENT_HELP = (
    "A care flow definition document, format careapp.careflow/1 (see careapp/domain/careflow.py): "
    "title, description, data_points, constants, steps → activities (form, message, checklist)."
)
Localized = str | dict[str, str]


class DataPointOut(BaseModel):
    id: str
    key: str
    value_type: Literal["string", "number", "date", "boolean", "strings"]
    label: Localized
    baseline: bool
    optional: bool
    range: JsonObject | None = Field(
        default=None,
        description="Plausible values: min/max for a number; min/max (dates) and past/future "
        "(ISO 8601 durations from today) for a date.",
    )


class DefinitionSummary(BaseModel):
    id: str
    title: Localized
    description: Localized | None
    live_version: int | None
    baseline: list[DataPointOut]
    updated_at: datetime


class DefinitionList(BaseModel):
    items: list[DefinitionSummary]


class WorkingVersionOut(BaseModel):
    definition_id: str
    revision: int = Field(description="Send as If-Match when replacing the working version.")
    live_version: int | None
    versions: list[int]
    document: dict[str, Any] = Field(description=DOCUMENT_HELP)
    updated_at: datetime


class VersionOut(BaseModel):
    definition_id: str
    version: int
    live: bool
    published_at: datetime
    document: dict[str, Any] = Field(description=DOCUMENT_HELP)


class VersionList(BaseModel):
    items: list[VersionOut]


class LiveVersionIn(Input):
    version: Count


class ConstantIn(Input):
    value: Annotated[str, StringConstraints(max_length=10_000)] | None = Field(
        None, description="Write-only for a concealed constant; null blanks it."
    )
    concealed: bool | None = Field(None, description="Change whether the constant is concealed.")


class ConstantOut(BaseModel):
    key: str
    concealed: bool
    value: str | None = Field(None, description="Never present for a concealed constant.")
    value_set: bool


class ConstantList(BaseModel):
    items: list[ConstantOut]


ClientId = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class ClientStart(Input):
    """What every way of starting a care flow may add: the client's own id and the physician."""

    client_id: ClientId | None = Field(
        None,
        description="The client's own id for this enrollment. A start naming a client_id already "
        "used returns that care flow (200) instead of starting another, however long after: it "
        "outlives the Idempotency-Key retention.",
    )
    physician: PhysicianCreate | None = Field(
        None, description="The physician responsible (code and name; created when new)."
    )


class CareFlowStart(ClientStart):
    patient_id: Annotated[str, StringConstraints(min_length=1, max_length=36)]
    definition_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    version: Count | None = Field(None, description="A published version; the live one when omitted.")
    baseline: JsonObject = Field(default_factory=dict, description="Baseline data points by id or key.")


class BaselineIn(Input):
    baseline: JsonObject


class CareFlowStop(Input):
    reason: text(500, required=False) | None = None  # type: ignore[valid-type]  # text() builds an Annotated type at run time; mypy reads annotations statically


class StepOut(BaseModel):
    index: int
    id: str
    title: Localized


class CareFlowOut(BaseModel):
    id: str
    patient_id: str
    definition_id: str
    version: int
    status: CareFlowStatus
    current_step: StepOut | None
    missing_baseline: list[str] = Field(description="Keys of the baseline data points still needed.")
    data_points: dict[str, Any] = Field(description="Recorded data point values by key.")
    started_at: datetime
    updated_at: datetime
    completed_at: datetime | None
    stopped_at: datetime | None
    stop_reason: str | None
    started_by: str | None = Field(
        None, description="user:<id> of the person who enrolled, or the credential."
    )
    hosted_pages_link: str | None = Field(
        None,
        description="The patient's static hosted pages link (never expires; revoke and re-issue "
        "through /v1/care-flows/{id}/hosted-pages-link).",
    )


StepStatus = Literal["pending", "scheduled", "active", "done", "skipped", "canceled"]


class TimelineActivity(BaseModel):
    id: str
    activity_id: str = Field(description="The activity's id in the definition.")
    type: str
    stakeholder: str
    status: ActivityStatus
    opened_at: datetime
    due_at: datetime | None = Field(description="When it expires if not done by then.")
    completed_at: datetime | None


class StepRun(BaseModel):
    round: int = Field(description="1 the first time the step is reached, 2 the second, …")
    status: Literal["scheduled", "active", "done", "skipped", "canceled"] = Field(
        description="skipped: the transition into it was not taken (its condition was false)."
    )
    reached_from: str = Field(description="'start' or the id of the step whose transition led here.")
    due_at: datetime | None = Field(description="When a scheduled step opens.")
    opened_at: datetime | None
    closed_at: datetime | None
    activities: list[TimelineActivity]


class TimelineStep(BaseModel):
    id: str
    title: Localized
    status: StepStatus = Field(description="Its latest run's status; pending: not reached yet.")
    runs: list[StepRun]


class Score(BaseModel):
    activity_id: str = Field(description="The calculation activity's id in the definition.")
    data_point: str
    value: float | None
    band: str | None = None
    band_label: Localized | None = Field(None, description="The band as the definition names it.")


class AlertOut(BaseModel):
    id: str
    alert: str = Field(description="The alert's id in the definition.")
    level: Literal["info", "warning", "urgent"]
    text: Localized
    raised_at: datetime


class ScheduledStep(BaseModel):
    id: str
    title: Localized
    due_at: datetime | None = Field(description="When the step opens.")


class CareFlowWithDigest(CareFlowOut):
    """A care flow as lists and the change feed give it: what a workstation caches of it."""

    scores: list[Score] = Field(default_factory=list)
    alerts: list[AlertOut] = Field(default_factory=list)
    scheduled_steps: list[ScheduledStep] = Field(default_factory=list)


class CareFlowList(Page):
    items: list[CareFlowWithDigest]


class CareFlowDetail(CareFlowOut):
    """A care flow with its timeline: steps, activities' opening and due times, scores, alerts."""

    timeline: list[TimelineStep]
    scores: list[Score]
    alerts: list[AlertOut]


class ActivityOut(BaseModel):
    id: str
    care_flow_id: str
    patient_id: str
    step_id: str
    step_title: Localized | None = None
    activity_id: str = Field(description="The activity's id in the definition.")
    type: Literal["form", "message", "checklist", "api_call", "calculation"]
    stakeholder: Literal["patient", "clinician", "system"] = Field(
        description="system: an api_call or a calculation the engine performs itself."
    )
    title: Localized
    status: ActivityStatus
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None
    completed_by: str | None = Field(
        None, description="user:<id> of the person who completed it, or the system."
    )
    due_at: datetime | None = Field(None, description="When it expires if not done by then.")
    form: dict[str, Any] | None = None
    body: Localized | None = None
    items: list[Localized] | None = None
    answers: dict[str, Any] | None = None


class ActivityList(Page):
    items: list[ActivityOut]


class ActivityComplete(Input):
    checked_items: list[Annotated[int, Field(ge=0, le=1000)]] | None = Field(
        None,
        max_length=1000,
        description="For a checklist: the indexes of the ticked items (all are needed).",
    )


class FormResponseIn(Input):
    answers: JsonObject = Field(description="Answers by question id.")
