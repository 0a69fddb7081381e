"""What became of a care flow's results sent to the hospital (ORU^R01 or FHIR), for the care flow
view: delivered, waiting, or refused with the hospital's reason. Blocks on the network: run it
off the GUI thread."""

from __future__ import annotations

from dataclasses import dataclass

from careapp.backend.client import BackendClient

DELIVERED, PENDING, FAILED = "delivered", "pending", "failed"


@dataclass(frozen=True, slots=True)
class ResultMessage:
    kind: str  # form_response | score
    status: str  # pending | delivered | failed
    attempts: int
    ack_code: str | None  # AA, AE, AR, or the FHIR server's HTTP status
    reason: str | None  # the hospital's reason when it refused, or why it is being retried


def result_messages(
    client: BackendClient, care_flow_remote_id: str, *, acting_user: str
) -> list[ResultMessage]:
    path = f"/v1/care-flows/{care_flow_remote_id}/result-messages"
    data = client.request("GET", path, params={"limit": 100}, acting_user=acting_user)
    return [
        ResultMessage(
            str(item["kind"]),
            str(item["status"]),
            int(item["attempts"]),
            item.get("ack_code"),
            item.get("last_error"),
        )
        for item in data["items"]
    ]
