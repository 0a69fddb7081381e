"""The result outbox: a completed form or a calculated score becomes one message per hospital the
patient belongs to, written in the transaction that completed it.

The message is built here, once, and stored sealed: every attempt sends the same bytes with the
same MSH-10, and a change to the definition or the patient later does not rewrite what was sent.
"""

from __future__ import annotations

import json

from sqlalchemy import select

from careapp.domain.careflow import ActivityType
from careapp.server import events
from careapp.server.context import Services, Tx
from careapp.server.delivery.dispatcher import DELIVERED, FAILED, PENDING
from careapp.server.events import DomainEvent
from careapp.server.hospital_link import connections, fhir_results, oru, results
from careapp.server.models import ActivityRow, HospitalConnectionRow, PatientIdentifierRow, ResultMessageRow
from careapp.server.services.common import conflict, get_or_404, not_found

HL7, FHIR = "hl7", "fhir"
# Session.info mark: this transaction queued result messages (the sender wakes on commit only then).
QUEUED_KEY = "careapp.hospital_link.queued"


def sealing_purpose(connection_id: str) -> str:
    return f"result-message:{connection_id}"


def build(tx: Tx, record: results.ResultRecord, connection: HospitalConnectionRow) -> tuple[str, str]:
    """(control id, message text) of RECORD for CONNECTION's transport."""
    control_id = oru.new_control_id()
    if connection.results == FHIR:
        bundle = fhir_results.transaction_bundle(
            record, control_id, tx.config.public_url, connection.patient_id_system
        )
        return control_id, json.dumps(bundle, separators=(",", ":"), ensure_ascii=False)
    config = connections.hospital_config(connection)
    return control_id, oru.oru_r01(record, config, control_id, tx.now, tx.config.zone)


def queue(tx: Tx, activity_id: str) -> list[ResultMessageRow]:
    """Queue the result of ACTIVITY for every hospital connection of its patient."""
    wanted = [c for c in connections.enabled(tx) if c.results in (HL7, FHIR)]
    if not wanted:
        return []
    activity = tx.session.get(ActivityRow, activity_id)
    if activity is None:
        return []
    systems = set(
        tx.session.scalars(
            select(PatientIdentifierRow.system).where(PatientIdentifierRow.patient_id == activity.patient_id)
        )
    )
    targets = [c for c in wanted if c.patient_id_system in systems]
    if not targets:
        return []
    tx.session.flush()  # the response and the scores of this transaction, for the reads below
    record = results.read(tx, activity_id)
    if record is None:
        return []
    rows = []
    for connection in targets:
        control_id, text = build(tx, record, connection)
        rows.append(
            ResultMessageRow(
                connection_id=connection.id,
                care_flow_id=record.care_flow_id,
                patient_id=activity.patient_id,
                activity_id=activity_id,
                kind=record.kind,
                transport=connection.results,
                control_id=control_id,
                sealed_body=tx.services.sealer.seal(text.encode(), sealing_purpose(connection.id)),
                status=PENDING,
                attempts=0,
                created_at=tx.now,
                next_attempt_at=tx.now,
            )
        )
    tx.session.add_all(rows)
    tx.session.info[QUEUED_KEY] = True
    return rows


def install(services: Services) -> None:
    """Queue results on a form's completion and on a score's calculation."""

    def on_completed(tx: Tx, event: DomainEvent) -> None:
        if event.activity_id and event.data.get("stakeholder") is not None:
            activity = tx.session.get(ActivityRow, event.activity_id)
            if activity is not None and activity.type == ActivityType.FORM.value:
                queue(tx, event.activity_id)

    def on_calculated(tx: Tx, event: DomainEvent) -> None:
        if event.activity_id:
            queue(tx, event.activity_id)

    services.bus.subscribe(events.ACTIVITY_COMPLETED, on_completed)
    services.bus.subscribe(events.ACTIVITY_CALCULATED, on_calculated)


def redeliver(tx: Tx, connection_id: str, message_id: int) -> ResultMessageRow:
    """Send a failed result again, now, with the same MSH-10 and the same bytes (the hospital
    deduplicates by MSH-10); a pending one waiting for its next attempt is brought forward.

    It keeps its place in the hospital's line (the sender goes by id): it goes before every result
    still waiting for that hospital, so before the patient's later ones. An earlier result of the
    same patient that failed too must be sent again first, or the hospital would get them reversed.
    """
    connection = connections.get(tx, connection_id)
    if not connection.enabled:
        raise conflict("connection-disabled", "Enable the hospital connection before redelivering.")
    row = get_or_404(tx.session, ResultMessageRow, message_id, "result message", for_update=True)
    if row.connection_id != connection_id:
        raise not_found("result message")
    if row.status == DELIVERED:
        raise conflict("result-message-delivered", "The hospital acknowledged this result already.")
    if row.status == PENDING and row.leased_until is not None and row.leased_until > tx.now:
        raise conflict("result-message-in-flight", "This result is being sent right now.")
    earlier = tx.session.scalar(
        select(ResultMessageRow.id)
        .where(
            ResultMessageRow.connection_id == connection_id,
            ResultMessageRow.patient_id == row.patient_id,
            ResultMessageRow.status == FAILED,
            ResultMessageRow.id < row.id,
        )
        .order_by(ResultMessageRow.id)
        .limit(1)
    )
    if earlier is not None:
        raise conflict(
            "earlier-result-failed",
            f"An earlier result of this patient failed too: redeliver result message {earlier} first.",
        )
    row.status, row.next_attempt_at = PENDING, tx.now
    tx.session.info[QUEUED_KEY] = True  # wakes the sender on commit
    tx.audit("result_message.redelivered", resource_type="result_message", resource_id=str(row.id))
    return row


__all__ = ["DELIVERED", "FAILED", "PENDING", "body_of", "install", "queue", "redeliver"]


def body_of(services: Services, row: ResultMessageRow) -> str:
    return services.sealer.open(row.sealed_body, sealing_purpose(row.connection_id)).decode()
