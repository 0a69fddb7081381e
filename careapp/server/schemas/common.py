"""Constrained field types shared by every request body."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints


def _printable(value: str) -> str:
    # NUL and other control characters break PostgreSQL text and every display; tabs/newlines only
    # belong in long text.
    if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in value):
        raise ValueError("must not contain control characters")
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


def text(max_length: int, *, required: bool = True) -> Any:
    parts: list[Any] = [
        StringConstraints(strip_whitespace=True, max_length=max_length),
        AfterValidator(_printable),
    ]
    if required:
        parts.append(AfterValidator(_not_blank))
    return Annotated[str, *parts]


Name = text(200)
OptionalText200 = text(200, required=False)
Uri = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500), AfterValidator(_printable)
]
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$"),
]
Telephone = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=50, pattern=r"^\+?[0-9 ()./-]{3,49}$")
]
IdPath = Annotated[str, StringConstraints(max_length=64)]
Count = Annotated[int, Field(ge=1, le=1_000_000)]
# JSON values given by clients (answers, data points): bounded so one request cannot fill the disk.
JsonObject = Annotated[dict[str, Any], Field(max_length=500)]


class Input(BaseModel):
    """Request bodies refuse unknown fields: a typo should fail loudly, not be dropped."""

    model_config = ConfigDict(extra="forbid")


class Page(BaseModel):
    limit: int
    offset: int
    total: int
