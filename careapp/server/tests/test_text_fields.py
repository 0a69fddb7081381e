"""The OpenAPI schema of a text field and the server's validation agree on every value: a client (or
a fuzzer) reading the schema never has a "valid" value refused nor an "invalid" one accepted."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from careapp.server.schemas.common import (
    IDENTIFIER_TOKEN_PATTERN,
    Email,
    Input,
    Name,
    OptionalText200,
    Telephone,
    Uri,
    identifier_token,
)
from careapp.server.schemas.directory import WorkstationCreate


class _Fields(BaseModel):
    name: Name
    note: OptionalText200
    system: Uri
    email: Email
    phone: Telephone


# Control characters, every kind of whitespace Python strips, and ordinary letters: the characters
# where stripping, blankness and the patterns could disagree.
_TRICKY = "@.+09\x00\x08\t\n\x0b\x0c\r\x1c\x1f \x7f\x85\x96\xa0\u2028\u3000\ufeffa:Z-é|"
_padded_long = st.builds(
    lambda pad, body: pad + body + pad,
    st.text(" \t\x0c", max_size=3),
    st.text("ab", min_size=195, max_size=205),
)
values = st.text(alphabet=st.sampled_from(_TRICKY), max_size=8) | _padded_long


def _schema_accepts(field: str, value: str) -> bool:
    spec: dict[str, Any] = _Fields.model_json_schema()["properties"][field]
    return (
        len(value) >= spec.get("minLength", 0)
        and len(value) <= spec["maxLength"]
        and re.search(spec["pattern"], value) is not None
    )


def _server_accepts(field: str, value: str) -> bool:
    good = {"name": "Ward 4", "note": "", "system": "urn:oid:1.2.3", "email": "a@b.be", "phone": "+32 9 123"}
    try:
        _Fields.model_validate({**good, field: value})
    except ValidationError:
        return False
    return True


FIELDS = ["name", "note", "system", "email", "phone"]


@pytest.mark.parametrize("field", FIELDS)
@settings(max_examples=400, deadline=None)
@given(value=values)
@example(value="\x0cWard 4")  # the leading form feed schemathesis found on POST /v1/workstations
@example(value="\x85")
@example(value="\r \x0c\n s0K9mG:x")  # … and the leading form feed of an identifier system
@example(value=" " + "a" * 200)
@example(value="a\x1e@b.cd")  # an e-mail address with a control character (valid to ECMAScript's \\s)
@example(value=" +32 9 123 4567 ")
def test_schema_and_validation_agree(field: str, value: str) -> None:
    assert _schema_accepts(field, value) == _server_accepts(field, value), repr(value)


def test_the_workstation_name_found_by_the_fuzzer_is_refused_with_one_message() -> None:
    with pytest.raises(ValidationError) as refused:
        WorkstationCreate.model_validate({"name": "\x0cWard 4"})
    assert [e["msg"] for e in refused.value.errors()] == ["Value error, must not contain control characters"]
    assert WorkstationCreate.model_validate({"name": "  Ward 4 "}).name == "Ward 4"


_TOKEN_PARTS = st.sampled_from(
    ["urn:x:id", " urn:x:id", "urn:x:id\x0b", "A:0\x96", "a:b\ufeff", "|", "v", " v ", "\x1c", "\x85"]
)


@settings(max_examples=400, deadline=None)
@given(
    value=st.lists(_TOKEN_PARTS | st.text(alphabet=st.sampled_from(_TRICKY), max_size=3), max_size=5).map(
        "".join
    )
)
@example(value="\t\x0b\t\x0b nMeG8XG:\x96đÉ|\x1c \x0b\x0b \x0c\r")  # schemathesis: valid to ECMAScript
def test_identifier_token_schema_and_validation_agree(value: str) -> None:
    def server_accepts() -> bool:
        try:
            identifier_token(value)
        except ValueError:
            return False
        return True

    assert (re.search(IDENTIFIER_TOKEN_PATTERN, value) is not None) == server_accepts(), repr(value)


@pytest.mark.parametrize(
    "pattern",
    [
        IDENTIFIER_TOKEN_PATTERN,
        *(_Fields.model_json_schema()["properties"][f]["pattern"] for f in FIELDS),
    ],
)
def test_patterns_mean_the_same_to_ecmascript(pattern: str) -> None:
    # \s and \S are where Python's and ECMAScript's regexes differ; the patterns spell classes out.
    assert "\\s" not in pattern and "\\S" not in pattern


class _Switch(Input):
    enabled: bool = True
    live: bool | None = None


@pytest.mark.parametrize("field", ["enabled", "live"])
@pytest.mark.parametrize("sent", [0, 1, "yes", "true", 1.0])
def test_yes_no_fields_take_only_true_or_false(field: str, sent: object) -> None:
    # schemathesis: PUT /v1/notification-channels/email {"enabled": 0} was taken as "disabled".
    with pytest.raises(ValidationError) as refused:
        _Switch.model_validate({field: sent})
    assert [e["msg"] for e in refused.value.errors()] == [f"{field} must be true or false"]
    assert _Switch.model_validate({field: False}).model_dump()[field] is False
