"""A care flow's delivery log: every e-mail and SMS the backend sent the patient and how it went.

The backend names each failure by its kind and code only ("SMTP reply 550", "HTTP 400",
"bounced"), never the address, the phone number or the link. Blocks on the network: run it off
the GUI thread."""

from __future__ import annotations

from typing import Any

from careapp.backend.client import BackendClient

FAILED = "failed"  # for good: a 5xx SMTP reply, a 4xx from the gateway, a bounce


def delivery_log(
    client: BackendClient, care_flow_remote_id: str, *, acting_user: str
) -> list[dict[str, Any]]:
    """The care flow's messages as the backend lists them, newest first."""
    path = f"/v1/care-flows/{care_flow_remote_id}/notifications"
    return list(client.request("GET", path, acting_user=acting_user)["items"])
