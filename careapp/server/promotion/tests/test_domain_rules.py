"""careapp.domain.promotion's pure rules, case by case (no servers)."""

from __future__ import annotations

import pytest

from careapp.domain.careflow import ConstantDefinition
from careapp.domain.promotion import (
    ConstantOutcome,
    Deployment,
    ExistingConstant,
    IdentifierSystem,
    PromotionRefused,
    check_direction,
    content_hash,
    decide_constants,
    missing_identifier_systems,
)

SANDBOX = Deployment("eu", "sandbox")
PRODUCTION = Deployment("eu", "production")


def test_sandbox_to_production_needs_no_flag() -> None:
    assert check_direction(SANDBOX, PRODUCTION, allow_production_to_sandbox=False) is None


def test_production_to_sandbox_needs_the_flag_and_warns() -> None:
    with pytest.raises(PromotionRefused) as refused:
        check_direction(PRODUCTION, SANDBOX, allow_production_to_sandbox=False)
    assert refused.value.slug == "production-to-sandbox"
    assert "WARNING" in (check_direction(PRODUCTION, SANDBOX, allow_production_to_sandbox=True) or "")


@pytest.mark.parametrize(
    ("source", "destination", "slug"),
    [(SANDBOX, SANDBOX, "same-deployment"), (SANDBOX, Deployment("us", "production"), "cross-region")],
)
def test_other_directions_are_refused(source: Deployment, destination: Deployment, slug: str) -> None:
    with pytest.raises(PromotionRefused) as refused:
        check_direction(source, destination, allow_production_to_sandbox=True)
    assert refused.value.slug == slug


def test_constant_decisions() -> None:
    incoming = [
        ConstantDefinition("phone", False, "+32 1"),  # new, plain → copied
        ConstantDefinition("token", True, "should-never-travel"),  # concealed → blank, value dropped
        ConstantDefinition("kept_plain", False, "source"),  # set in destination → kept
        ConstantDefinition("kept_secret", False, "source"),  # concealed + set there → kept, concealed
        ConstantDefinition("was_blank", False, "fill"),  # present but blank there → copied
        ConstantDefinition("empty", False, ""),  # blank in the source → blank
    ]
    existing = {
        "kept_plain": ExistingConstant("kept_plain", False, True),
        "kept_secret": ExistingConstant("kept_secret", True, True),
        "was_blank": ExistingConstant("was_blank", True, False),
    }
    decisions = {d.key: d for d in decide_constants(incoming, existing)}
    assert {k: (d.outcome, d.concealed, d.value) for k, d in decisions.items()} == {
        "phone": (ConstantOutcome.COPIED, False, "+32 1"),
        "token": (ConstantOutcome.BLANK, True, None),
        "kept_plain": (ConstantOutcome.KEPT, False, None),
        "kept_secret": (ConstantOutcome.KEPT, True, None),
        "was_blank": (ConstantOutcome.COPIED, False, "fill"),
        "empty": (ConstantOutcome.BLANK, False, None),
    }


def test_missing_identifier_systems_by_uri_and_name() -> None:
    source = [
        IdentifierSystem("MRN", "urn:a"),
        IdentifierSystem("Visit", "urn:b"),
        IdentifierSystem("NN", "urn:c"),
    ]
    destination = [IdentifierSystem("MRN", "urn:a"), IdentifierSystem("Visit number", "urn:b")]
    assert [(m.uri, m.reason) for m in missing_identifier_systems(source, destination)] == [
        ("urn:b", "different_name"),
        ("urn:c", "absent"),
    ]


def test_content_hash_ignores_constant_values_and_key_order() -> None:
    a = {"title": "T", "constants": [{"key": "k", "concealed": False, "value": "1"}], "steps": []}
    b = {"steps": [], "constants": [{"key": "k", "concealed": False}], "title": "T"}
    assert content_hash(a) == content_hash(b)
    assert content_hash(a) != content_hash({**a, "title": "U"})
