"""A link goes out only once its audit row is written (DESIGN §5: no audit row, no change).

The row is written on the single writer (an fsync); the action then runs on the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject

from careapp.links.audit_trail import LinkAuditTrail
from careapp.ui.operations import CollectionOp


def after_audit(
    parent: QObject,
    trail: LinkAuditTrail,
    action: str,
    subject: str,
    detail: str | None,
    then: Callable[[], None],
    on_error: Callable[[BaseException], None],
) -> None:
    CollectionOp(parent, lambda: trail.record(action, subject, detail), lambda _none: then()).failure(
        on_error
    ).run_in_background()
