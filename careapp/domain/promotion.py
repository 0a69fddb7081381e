"""Promotion of a care flow definition between environments: the pure rules (DESIGN §2).

A promotion copies a snapshot of the source's working version to the destination as its working
version. These functions decide what may be promoted where and what happens to each constant;
the server applies the decisions to its database.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from careapp.domain.careflow import ConstantDefinition

SANDBOX = "sandbox"
PRODUCTION = "production"


class PromotionRefused(ValueError):
    """A promotion that the rules do not allow; the message is one line for the operator."""

    def __init__(self, slug: str, message: str) -> None:
        super().__init__(message)
        self.slug = slug


@dataclass(frozen=True, slots=True)
class Deployment:
    region: str
    environment: str

    def __str__(self) -> str:
        return f"{self.region}/{self.environment}"


def check_direction(
    source: Deployment, destination: Deployment, *, allow_production_to_sandbox: bool
) -> str | None:
    """Raise PromotionRefused for a forbidden direction; return a warning for an allowed odd one.

    Promotion is meant to run Sandbox → Production inside one region. Production → Sandbox is
    possible once, on purpose, with an explicit flag (it overwrites Sandbox's working version).
    """
    if source == destination:
        raise PromotionRefused("same-deployment", f"source and destination are both {source}")
    if source.region != destination.region:
        # A region is a separate installation for its customers: nothing moves between regions.
        raise PromotionRefused(
            "cross-region",
            f"promotion stays inside one region; {source} and {destination} are in different regions",
        )
    if source.environment == PRODUCTION and destination.environment == SANDBOX:
        if not allow_production_to_sandbox:
            raise PromotionRefused(
                "production-to-sandbox",
                "promoting from Production to Sandbox needs --allow-production-to-sandbox "
                "(it overwrites Sandbox's working version; do it once, not as a habit)",
            )
        return (
            f"WARNING: promoting from Production ({source}) back to Sandbox ({destination}). "
            "Sandbox's working version is overwritten; keep editing in Sandbox only from now on."
        )
    return None


class ConstantOutcome(StrEnum):
    COPIED = "copied"  # a non-concealed value was copied from the source
    BLANK = "blank"  # arrived without a value (concealed, or blank in the source)
    KEPT = "kept"  # the destination already had a value: never overwritten


@dataclass(frozen=True, slots=True)
class ExistingConstant:
    """A constant as the destination holds it (a concealed value is only known to be set)."""

    key: str
    concealed: bool
    value_set: bool


@dataclass(frozen=True, slots=True)
class ConstantDecision:
    key: str
    concealed: bool
    outcome: ConstantOutcome
    # The value to store: only for COPIED (never a concealed value: those never travel).
    value: str | None = None


def _blank(value: str | None) -> bool:
    return value is None or value == ""


def decide_constants(
    incoming: Iterable[ConstantDefinition], existing: Mapping[str, ExistingConstant]
) -> list[ConstantDecision]:
    """What becomes of each constant of the snapshot in the destination.

    - a value already set in the destination is never overwritten;
    - otherwise a non-concealed value is copied and a concealed one arrives blank;
    - a constant concealed in either environment stays concealed once it has a value, so a
      promotion never turns a Production secret into a readable value.
    """
    decisions = []
    for const in incoming:
        have = existing.get(const.key)
        if have is not None and have.value_set:
            decisions.append(
                ConstantDecision(const.key, const.concealed or have.concealed, ConstantOutcome.KEPT)
            )
        elif const.concealed or _blank(const.value):
            decisions.append(ConstantDecision(const.key, const.concealed, ConstantOutcome.BLANK))
        else:
            decisions.append(ConstantDecision(const.key, False, ConstantOutcome.COPIED, const.value))
    return decisions


@dataclass(frozen=True, slots=True)
class IdentifierSystem:
    name: str
    uri: str


@dataclass(frozen=True, slots=True)
class MissingIdentifierSystem:
    name: str
    uri: str
    reason: str  # "absent" | "different_name"


def missing_identifier_systems(
    source: Sequence[IdentifierSystem], destination: Sequence[IdentifierSystem]
) -> list[MissingIdentifierSystem]:
    """Identifier systems are a per-environment setting and never promoted: list the gaps.

    Integrations expect the same name and system URI in every environment.
    """
    names = {s.uri: s.name for s in destination}
    out = []
    for system in sorted(source, key=lambda s: s.uri):
        if system.uri not in names:
            out.append(MissingIdentifierSystem(system.name, system.uri, "absent"))
        elif names[system.uri] != system.name:
            out.append(MissingIdentifierSystem(system.name, system.uri, "different_name"))
    return out


def content_hash(working_document: Mapping[str, Any]) -> str:
    """The fingerprint of a working version (constant values excluded: they are per environment)."""
    document = dict(working_document)
    document["constants"] = [
        {"key": c.get("key"), "concealed": bool(c.get("concealed"))} for c in document.get("constants", [])
    ]
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()
