"""The local demo's hospital connection: results to the stand-in hospital, its discharges from
cardiology starting the post-discharge follow-up (``careapp-server --demo-hospital HOST:PORT``)."""

from __future__ import annotations

from sqlalchemy import select

from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID, DEMO_HOSPITAL_VISIT_NUMBER
from careapp.server.context import Services, system_tx
from careapp.server.hospital_link import connections
from careapp.server.hospital_link.schemas import HospitalConnectionIn
from careapp.server.models import HospitalConnectionRow

DEMO_APPLICATION, DEMO_FACILITY = "HIS", "DEMOHOSP"  # the stand-in hospital's MSH-3/MSH-4
DEMO_RULES = [
    {"event": "A03", "ward": "CARDIO", "action": "start", "definition_id": "post-discharge-follow-up",
     "baseline": [{"data_point": "discharge_date", "field": "PV1-45"}]},
    {"event": "A11", "action": "stop", "definition_id": "post-discharge-follow-up"},
]  # fmt: skip


def connect_demo_hospital(services: Services, host: str, port: int) -> str:
    """Create the demo hospital's connection, or point it at this run's MLLP port; its id."""
    body = HospitalConnectionIn.model_validate({
        "name": "Demo hospital (stand-in)", "patient_id_system": DEMO_HOSPITAL_PATIENT_ID,
        "visit_number_system": DEMO_HOSPITAL_VISIT_NUMBER, "results": "hl7", "mllp_host": host,
        "mllp_port": port, "hospital_application": DEMO_APPLICATION, "hospital_facility": DEMO_FACILITY,
        "adt_rules": DEMO_RULES,
    })  # fmt: skip
    with system_tx(services) as tx:
        found = tx.session.scalar(
            select(HospitalConnectionRow.id).where(
                HospitalConnectionRow.hospital_application == DEMO_APPLICATION,
                HospitalConnectionRow.hospital_facility == DEMO_FACILITY,
            )
        )
        row = connections.replace(tx, found, body) if found else connections.create(tx, body)
        return row.id
