"""Every link shown, copied or printed leaves a row in the local audit log (DESIGN §5).

The row names the care flow (or definition) and how the link went out, never the link itself:
the URL carries the patient's access token.
"""

from __future__ import annotations

from careapp.domain.clock import Clock, utcnow
from careapp.storage import audit
from careapp.storage.database import CacheDatabase

LINK_SHOWN = "link.shown"
LINK_COPIED = "link.copied"
LINK_PRINTED = "link.printed"
LINK_SAVED = "link.saved_pdf"


def care_flow_subject(care_flow_id: int) -> str:
    return f"care_flow:{care_flow_id}"


def definition_subject(definition_id: str) -> str:
    return f"care_flow_definition:{definition_id}"


class LinkAuditTrail:
    """Writes link events for one signed-in person. Blocking (an fsync): call it off the GUI thread."""

    def __init__(self, db: CacheDatabase, actor: str, clock: Clock = utcnow) -> None:
        self._db = db
        self._actor = actor
        self._clock = clock

    def record(self, action: str, subject: str, detail: str | None = None) -> None:
        if detail and ("://" in detail or "/s/" in detail or "/l/" in detail or "/e/" in detail):
            raise ValueError("A link must never be written to the audit log.")
        with self._db.transaction() as session:
            audit.record(session, self._actor, action, subject, detail, self._clock)
