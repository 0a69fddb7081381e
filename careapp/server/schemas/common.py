"""Constrained field types shared by every request body."""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)
from pydantic_core import PydanticCustomError

# Control characters (C0 but tab/newline/return, DEL and C1) and whitespace, spelled out: JSON
# Schema patterns are ECMAScript regexes, whose \s differs from Python's (U+001C-U+001F and
# U+0085 are whitespace only to Python, U+FEFF only to ECMAScript), so no pattern here uses \s.
_CONTROL = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_WHITESPACE = r"\t\n\r \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"  # str.strip()'s, less controls
_PRINTABLE = f"[^{_CONTROL}]"
_VISIBLE = f"[^{_WHITESPACE}{_CONTROL}]"
_SPACE = f"[{_WHITESPACE}]*"


_CONTROL_CHARACTER = re.compile(f"[{_CONTROL}]")


def _printable(value: Any) -> Any:
    # Control characters break PostgreSQL text (NUL) and every display; tabs/newlines only belong
    # in long text. Checked on the value as sent, before surrounding whitespace is stripped, so a
    # leading form feed is refused here exactly as the OpenAPI pattern refuses it.
    if isinstance(value, str) and _CONTROL_CHARACTER.search(value):
        raise ValueError("must not contain control characters")
    return value


def _at_most(max_length: int) -> Any:
    # The length is the value as sent (the schema's maxLength), not what is left after stripping.
    def check(value: Any) -> Any:
        if isinstance(value, str) and len(value) > max_length:
            raise ValueError(f"must be at most {max_length} characters")
        return value

    return BeforeValidator(check)


def _not_blank(value: str) -> str:
    if not value:
        raise ValueError("must not be blank")
    return value


# What the validators accept, said in the OpenAPI schema too (so a client or a fuzzer reading the
# schema never sends a "valid" value the server refuses, nor an "invalid" one it accepts).
_PRINTABLE_PATTERN = f"^{_PRINTABLE}*$"
_NOT_BLANK_PATTERN = f"^{_PRINTABLE}*{_VISIBLE}{_PRINTABLE}*$"


def text(max_length: int, *, required: bool = True) -> Any:
    pattern = _NOT_BLANK_PATTERN if required else _PRINTABLE_PATTERN
    schema: dict[str, Any] = {"pattern": pattern, "maxLength": max_length}
    if required:
        schema["minLength"] = 1
    parts: list[Any] = [
        BeforeValidator(_printable),
        _at_most(max_length),
        StringConstraints(strip_whitespace=True),
        Field(json_schema_extra=schema),
    ]
    if required:
        parts.append(AfterValidator(_not_blank))
    return Annotated[str, *parts]


Name = text(200)
OptionalText200 = text(200, required=False)
# Identifier systems are absolute URIs (careapp.domain.identifiers).
_SCHEME = r"[A-Za-z][A-Za-z0-9+.\-]*:"
# A FHIR search token "system|value" (GET /v1/patients?identifier=), each part stripped.
_TOKEN_SYSTEM = f"{_SCHEME}[^{_WHITESPACE}{_CONTROL}|]+"
_TOKEN_VALUE = f"{_VISIBLE}(?:{_PRINTABLE}{{0,198}}{_VISIBLE})?"
IDENTIFIER_TOKEN_PATTERN = f"^{_SPACE}{_TOKEN_SYSTEM}{_SPACE}\\|{_SPACE}{_TOKEN_VALUE}{_SPACE}$"


def identifier_token(value: str | None) -> str | None:
    if value is None:
        return None
    _printable(value)
    if re.search(IDENTIFIER_TOKEN_PATTERN, value) is None:
        raise ValueError("must be 'system|value' with an absolute system URI")
    return value


def stripped_matching(core: str, max_length: int, problem: str) -> Any:
    """Text that is CORE (a pattern) once surrounding whitespace is stripped: no control
    characters, at most MAX_LENGTH as sent; the schema's pattern allows the same whitespace."""
    pattern = f"^{_SPACE}{core}{_SPACE}$"

    def check(value: str) -> str:
        if re.search(pattern, value) is None:
            raise ValueError(problem)
        return value

    return Annotated[
        str,
        BeforeValidator(_printable),
        _at_most(max_length),
        StringConstraints(strip_whitespace=True),
        AfterValidator(check),
        Field(json_schema_extra={"pattern": pattern, "maxLength": max_length}),
    ]


Uri = stripped_matching(
    f"{_SCHEME}{_VISIBLE}+", 500, "must be an absolute URI, e.g. urn:oid:1.2.3 or https://…"
)
# An absolute http(s) address: what the URL validators of webhook endpoints and return URLs check.
WEB_ADDRESS_SCHEMA = {"format": "uri", "pattern": r"^[Hh][Tt][Tt][Pp][Ss]?://[^/?#@:\x00-\x20][^\x00-\x20]*$"}
_MAILBOX = f"[^@{_WHITESPACE}{_CONTROL}]"
Email = stripped_matching(
    f"{_MAILBOX}{{1,64}}@{_MAILBOX}+\\.{_MAILBOX}{{2,}}", 254, "must be an e-mail address"
)
Telephone = stripped_matching(r"\+?[0-9 ()./-]{3,49}", 50, "must be a telephone number")
IdPath = Annotated[str, StringConstraints(max_length=64)]
Count = Annotated[int, Field(ge=1, le=1_000_000)]
# JSON values given by clients (answers, data points): bounded so one request cannot fill the disk.
JsonObject = Annotated[dict[str, Any], Field(max_length=500)]


class Input(BaseModel):
    """Request bodies refuse unknown fields: a typo should fail loudly, not be dropped. Yes/no
    fields take JSON true and false only (not 0, 1 or "yes", which lax validation would turn
    into a yes or no nobody sent)."""

    model_config = ConfigDict(extra="forbid")
    _yes_no_fields: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls._yes_no_fields = frozenset(
            field.alias or name
            for name, field in cls.model_fields.items()
            if field.annotation is bool or field.annotation == (bool | None)
        )

    @model_validator(mode="before")
    @classmethod
    def _only_true_or_false(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for name in cls._yes_no_fields:
                value = data.get(name)
                if value is not None and not isinstance(value, bool):
                    raise PydanticCustomError("bool_type", "{name} must be true or false", {"name": name})
        return data


class Page(BaseModel):
    limit: int
    offset: int
    total: int
