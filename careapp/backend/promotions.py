"""Which care flow definitions are published where, across this workstation's backends.

Each backend answers GET /v1/promotions/status for its own environment; the admin view lays
the answers side by side and warns where a Sandbox working version changed since it was last
promoted (the next promotion would carry changes nobody has promoted yet).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from careapp.backend.client import BackendClient


def promotion_status(client: BackendClient, acting_user: str) -> dict[str, Any]:
    """One backend's status (the acting user must be an admin there). Blocks: off the GUI thread."""
    return dict(client.request("GET", "/v1/promotions/status", acting_user=acting_user))


@dataclass
class DefinitionOverview:
    definition_id: str
    title: str
    # Per backend label: "v3 live", "not published", or why it is unknown.
    where: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def _title(raw: Any) -> str:
    if isinstance(raw, dict):
        return str(raw.get("en") or next(iter(raw.values()), ""))
    return str(raw or "")


def overview(answers: dict[str, dict[str, Any] | str]) -> list[DefinitionOverview]:
    """ANSWERS maps a backend label to its status document, or to a one-line error."""
    rows: dict[str, DefinitionOverview] = {}
    for label, answer in answers.items():
        if isinstance(answer, str):
            continue
        for item in answer.get("items", []):
            row = rows.setdefault(
                item["definition_id"], DefinitionOverview(item["definition_id"], _title(item.get("title")))
            )
            live = item.get("live_version")
            row.where[label] = f"v{live} live" if live is not None else "not published"
            out = item.get("last_promoted_out") or {}
            if out.get("changed_since"):
                peer = out.get("peer") or {}
                to = f"{str(peer.get('region', '')).upper()} {str(peer.get('environment', '')).capitalize()}"
                row.warnings.append(f"{label}: changed since its promotion to {to.strip()}")
            arrived = item.get("last_promoted_in") or {}
            if arrived.get("changed_since"):
                row.warnings.append(f"{label}: edited since it arrived; the next promotion overwrites it")
    for row in rows.values():
        for label, answer in answers.items():
            row.where.setdefault(label, answer if isinstance(answer, str) else "absent")
    return sorted(rows.values(), key=lambda r: r.title.casefold())
