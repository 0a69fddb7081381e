"""Domain events: the hook where later features (webhook outbox, hosted pages links) attach.

Handlers run synchronously inside the transaction that made the change, so whatever they
write (an outbox row, a link) commits or rolls back together with it. No state is kept here
beyond the subscriptions made when the app is composed, so any number of workers may run.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from careapp.server.context import Tx

CARE_FLOW_STARTED = "care_flow.started"
CARE_FLOW_COMPLETED = "care_flow.completed"
CARE_FLOW_STOPPED = "care_flow.stopped"
CARE_FLOW_MISSING_BASELINE = "care_flow.missing_baseline_info"
CARE_FLOW_ALERT = "care_flow.alert"  # an alert of the definition was raised for the clinicians
ACTIVITY_CREATED = "activity.created"
ACTIVITY_COMPLETED = "activity.completed"
ACTIVITY_CANCELED = "activity.canceled"
ACTIVITY_EXPIRED = "activity.expired"  # its due time passed before it was done
ACTIVITY_CALCULATED = "activity.calculated"  # a calculation recorded its score (results to the hospital)
SESSION_STARTED = "session.started"
SESSION_COMPLETED = "session.completed"
SESSION_EXPIRED = "session.expired"


@dataclass(frozen=True)
class DomainEvent:
    """Ids only, never PHI: events become webhook payloads."""

    type: str
    at: datetime
    care_flow_id: str
    patient_id: str
    definition_id: str
    activity_id: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


Handler = Callable[["Tx", DomainEvent], None]


class EventBus:
    def __init__(self) -> None:
        self._handlers: dict[str, list[Handler]] = defaultdict(list)

    def subscribe(self, event_type: str, handler: Handler) -> None:
        """Call HANDLER for EVENT_TYPE ("*" for every event) inside the emitting transaction."""
        self._handlers[event_type].append(handler)

    def publish(self, tx: Tx, event: DomainEvent) -> None:
        for handler in (*self._handlers.get(event.type, ()), *self._handlers.get("*", ())):
            handler(tx, event)
