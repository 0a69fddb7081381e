"""Starting a care flow for a client that names its own id for it (a desktop's care flow uid).

Idempotency keys are kept for 7 days (``ServerConfig.idempotency_retention``); a
workstation that sends a start again after that, because it never recorded the first answer,
must still get the care flow it already has. The client's id is a unique column of the care
flow, so that holds for ever and under concurrent sends alike.
"""

from __future__ import annotations

from typing import Any

from careapp.server import engine
from careapp.server.context import Tx
from careapp.server.models import CareFlowRow
from careapp.server.schemas.careflows import ClientStart
from careapp.server.services import directory


def start_once(
    tx: Tx,
    patient: engine.PatientIds,
    definition_id: str,
    version: int | None,
    baseline: dict[str, Any],
    client: ClientStart,
) -> tuple[CareFlowRow, bool]:
    """The care flow CLIENT's id already names, else a new one. Returns (care flow, started)."""
    if client.client_id is not None:
        existing = engine.started_for_client(tx, client.client_id, patient, definition_id)
        if existing is not None:
            return existing, False
    physician_id = None
    if client.physician is not None:
        physician_id = directory.create_physician(tx, client.physician.code, client.physician.name)[0].id
    flow = engine.start(
        tx, patient, definition_id, version, baseline, client_id=client.client_id, physician_id=physician_id
    )
    return flow, True
