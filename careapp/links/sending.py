"""Sending a care flow's link to the patient by SMS or e-mail, from the desktop.

The request is queued in the local outbox (it goes with the next sync, offline too) together
with its audit row, in one transaction; the backend writes and sends the message. What the
backend knows about the patient's channels (opted out? failures?) is read from it when online.
Blocking (the cache's fsync, the network): the UI runs these off the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from careapp.backend.client import BackendClient
from careapp.backend.notifications import FAILED, delivery_log
from careapp.domain.clock import Clock, utcnow
from careapp.storage import audit, outbox
from careapp.storage.care_flows import CareFlowSummary
from careapp.storage.database import CacheDatabase

KIND = "notification.send"
LINK_SENT = "link.sent"  # audit action; the detail names the channel, never the address
Channel = Literal["email", "sms"]


@dataclass(frozen=True)
class ChannelState:
    channel: Channel
    opted_out: bool
    address_known: bool


@dataclass(frozen=True)
class Delivery:
    channel: Channel
    kind: str
    status: str  # pending | delivered | failed | skipped
    last_error: str | None


@dataclass(frozen=True)
class Reachability:
    """The backend's view: per channel opted out or not, and the care flow's recent messages."""

    channels: tuple[ChannelState, ...]
    deliveries: tuple[Delivery, ...]

    def opted_out(self, channel: str) -> bool:
        return any(c.channel == channel and c.opted_out for c in self.channels)

    @property
    def failed(self) -> tuple[Delivery, ...]:
        return tuple(d for d in self.deliveries if d.status == FAILED)


def queue_send(
    db: CacheDatabase,
    actor: str,
    care_flow: CareFlowSummary,
    channel: Channel,
    *,
    link: Literal["static", "session"],
    to: str | None,
    clock: Clock = utcnow,
) -> None:
    """Queue the request; TO is an address the clinician checked with the patient (else None:
    the backend uses the one the hospital sent)."""
    if care_flow.remote_id is None:
        raise ValueError("The care flow has not reached the backend yet.")
    payload: dict[str, Any] = {"care_flow_id": care_flow.remote_id, "channel": channel, "link": link}
    if to:
        payload["to"] = to
    with db.transaction() as session:
        outbox.enqueue(session, KIND, payload, actor=actor)
        audit.record(session, actor, LINK_SENT, f"care_flow:{care_flow.id}", channel, clock)


def reachability(
    client_factory: Callable[[], BackendClient], care_flow_id: str, acting_user: str
) -> Reachability:
    """What the backend knows about reaching this care flow's patient (raises BackendError offline)."""
    with client_factory() as client:
        flow = client.request("GET", f"/v1/care-flows/{care_flow_id}", acting_user=acting_user)
        prefs = client.request(
            "GET", f"/v1/patients/{flow['patient_id']}/notification-preferences", acting_user=acting_user
        )
        log = delivery_log(client, care_flow_id, acting_user=acting_user)
    return Reachability(
        tuple(
            ChannelState(p["channel"], bool(p["opted_out"]), bool(p["address_known"])) for p in prefs["items"]
        ),
        tuple(Delivery(d["channel"], d["kind"], d["status"], d["last_error"]) for d in log),
    )
