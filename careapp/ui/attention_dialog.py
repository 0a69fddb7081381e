"""Changes the backend refused: kept, shown, and sent again or discarded by an admin."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from careapp.ui.operations import CollectionOp, QueryOp
from careapp.ui.widgets import MessageLabel

if TYPE_CHECKING:
    from careapp.auth.roles import Principal
    from careapp.sync import AttentionItem, SyncEngine

_KINDS = {
    "patient.upsert": "Patient record",
    "care_flow.start": "Enrollment",
    "user.provision": "User account",
    "user.deactivate": "User deactivation",
}


class AttentionDialog(QDialog):
    def __init__(self, engine: SyncEngine, principal: Principal, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Changes that need attention")
        self.resize(640, 360)
        self._engine = engine
        self._principal = principal
        self.items = QListWidget()
        self.items.setAccessibleName("Refused changes")
        self.message = MessageLabel()
        self.retry = QPushButton("Send &again")
        self.discard = QPushButton("&Discard…")
        for button in (self.retry, self.discard):
            button.setEnabled(False)
            button.setVisible(principal.is_admin)
        self.retry.clicked.connect(self._retry)
        self.discard.clicked.connect(self._discard)
        self.items.currentItemChanged.connect(
            lambda current, _previous: [b.setEnabled(current is not None) for b in (self.retry, self.discard)]
        )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.retry, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.discard, QDialogButtonBox.ButtonRole.DestructiveRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.items, 1)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.reload()

    def reload(self) -> None:
        QueryOp(self, self._engine.needs_attention, self._show).failure(self._failed).run_in_background()

    def _failed(self, error: BaseException) -> None:
        self.message.show_error(str(error))

    def _show(self, items: list[AttentionItem]) -> None:
        self.items.clear()
        for item in items:
            label = f"{_KINDS.get(item.kind, item.kind)} · {item.subject} · {item.message}"
            row = QListWidgetItem(f"{label} (tried {item.attempts}×, {item.created_at:%Y-%m-%d %H:%M} UTC)")
            row.setData(256, item.outbox_id)  # Qt.UserRole
            self.items.addItem(row)
        if not items:
            self.message.show_info("Nothing needs attention.")

    def _selected(self) -> int | None:
        current = self.items.currentItem()
        return None if current is None else int(current.data(256))

    def _retry(self) -> None:
        outbox_id = self._selected()
        if outbox_id is not None:
            done = "Queued to be sent again with the next sync."
            work = lambda: self._engine.retry(self._principal, outbox_id)  # noqa: E731
            CollectionOp(self, work, lambda _n: self._done(done)).failure(self._failed).run_in_background()

    def _discard(self) -> None:
        outbox_id = self._selected()
        if outbox_id is None:
            return
        answer = QMessageBox.question(
            self, "Discard this change?",
            "The backend will never receive this change. This is recorded in the audit log.",
        )  # fmt: skip
        if answer == QMessageBox.StandardButton.Yes:
            work = lambda: self._engine.discard(self._principal, outbox_id)  # noqa: E731
            op = CollectionOp(self, work, lambda _ok: self._done("Discarded."))
            op.failure(self._failed).run_in_background()

    def _done(self, text: str) -> None:
        self.message.show_info(text)
        self.reload()
