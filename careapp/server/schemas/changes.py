"""The change feed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class ChangeOut(BaseModel):
    cursor: str
    resource_type: str
    resource_id: str
    action: str
    patient_id: str | None
    at: datetime
    resource: dict[str, Any] | None = Field(
        None,
        description="The resource as it is now (patients, care flows, activities, users); null when gone.",
    )


class ChangePage(BaseModel):
    changes: list[ChangeOut]
    next_cursor: str = Field(description="Pass as ?since= to continue.")
    has_more: bool
