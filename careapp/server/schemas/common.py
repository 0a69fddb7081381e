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


# What _printable and _not_blank accept, said in the OpenAPI schema too (so a client or a fuzzer
# reading the schema never sends a "valid" value the server refuses).
_PRINTABLE = r"[^\x00-\x08\x0b\x0c\x0e-\x1f]"
_PRINTABLE_PATTERN = f"^{_PRINTABLE}*$"
_NOT_BLANK_PATTERN = rf"^{_PRINTABLE}*[^\s\x00-\x1f]{_PRINTABLE}*$"


def text(max_length: int, *, required: bool = True) -> Any:
    schema = {"pattern": _NOT_BLANK_PATTERN, "minLength": 1} if required else {"pattern": _PRINTABLE_PATTERN}
    parts: list[Any] = [
        StringConstraints(strip_whitespace=True, max_length=max_length),
        AfterValidator(_printable),
        Field(json_schema_extra=schema),
    ]
    if required:
        parts.append(AfterValidator(_not_blank))
    return Annotated[str, *parts]


Name = text(200)
OptionalText200 = text(200, required=False)
Uri = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=3, max_length=500),
    AfterValidator(_printable),
    # Identifier systems are absolute URIs (careapp.domain.identifiers), surrounding spaces stripped.
    # (\x85 is whitespace to Python, not to a JSON Schema regex.)
    Field(json_schema_extra={"pattern": r"^\s*[A-Za-z][A-Za-z0-9+.\-]*:[^\s\x00-\x1f\x85]+\s*$"}),
]
# An absolute http(s) address: what the URL validators of webhook endpoints and return URLs check.
WEB_ADDRESS_SCHEMA = {"format": "uri", "pattern": r"^[Hh][Tt][Tt][Pp][Ss]?://[^/?#@:\x00-\x20][^\x00-\x20]*$"}
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
