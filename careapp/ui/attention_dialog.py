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

from careapp.ui.dates import moment_text
from careapp.ui.language.marks import QT_TRANSLATE_NOOP
from careapp.ui.operations import CollectionOp, QueryOp
from careapp.ui.widgets import MessageLabel

if TYPE_CHECKING:
    from careapp.auth.roles import Principal
    from careapp.sync import AttentionItem, SyncEngine

_KINDS = {
    "patient.upsert": QT_TRANSLATE_NOOP("AttentionDialog", "Patient record"),
    "care_flow.start": QT_TRANSLATE_NOOP("AttentionDialog", "Enrollment"),
    "user.provision": QT_TRANSLATE_NOOP("AttentionDialog", "User account"),
    "user.deactivate": QT_TRANSLATE_NOOP("AttentionDialog", "User deactivation"),
}


class AttentionDialog(QDialog):
    def __init__(self, engine: SyncEngine, principal: Principal, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Changes that need attention"))
        self.resize(640, 360)
        self._engine = engine
        self._principal = principal
        self.items = QListWidget()
        self.items.setAccessibleName(self.tr("Refused changes"))
        self.message = MessageLabel()
        self.retry = QPushButton(self.tr("Send &again"))
        self.discard = QPushButton(self.tr("&Discard…"))
        for button in (self.retry, self.discard):
            button.setEnabled(False)
            button.setVisible(principal.is_admin)
        self.retry.clicked.connect(self._retry)
        self.discard.clicked.connect(self._discard)
        self.items.currentItemChanged.connect(self._selection_changed)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.retry, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.discard, QDialogButtonBox.ButtonRole.DestructiveRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.items, 1)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.reload()

    def _selection_changed(self, current: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        for button in (self.retry, self.discard):
            button.setEnabled(current is not None)

    def reload(self) -> None:
        QueryOp(self, self._engine.needs_attention, self._show).failure(self._failed).run_in_background()

    def _failed(self, error: BaseException) -> None:
        self.message.show_error(str(error))

    def _show(self, items: list[AttentionItem]) -> None:
        self.items.clear()
        for item in items:
            kind = self.tr(_KINDS[item.kind]) if item.kind in _KINDS else item.kind
            tried = self.tr("tried %n×", "", item.attempts)
            label = f"{kind} · {item.subject} · {item.message}"
            row = QListWidgetItem(f"{label} ({tried}, {moment_text(item.created_at)})")
            row.setData(256, item.outbox_id)  # Qt.UserRole
            self.items.addItem(row)
        if not items:
            self.message.show_info(self.tr("Nothing needs attention."))

    def _selected(self) -> int | None:
        current = self.items.currentItem()
        return None if current is None else int(current.data(256))

    def _retry(self) -> None:
        outbox_id = self._selected()
        if outbox_id is not None:
            done = self.tr("Queued to be sent again with the next sync.")
            work = lambda: self._engine.retry(self._principal, outbox_id)  # noqa: E731
            CollectionOp(self, work, lambda _n: self._done(done)).failure(self._failed).run_in_background()

    def _discard(self) -> None:
        outbox_id = self._selected()
        if outbox_id is None:
            return
        answer = QMessageBox.question(
            self, self.tr("Discard this change?"),
            self.tr("The backend will never receive this change. This is recorded in the audit log."),
        )  # fmt: skip
        if answer == QMessageBox.StandardButton.Yes:
            work = lambda: self._engine.discard(self._principal, outbox_id)  # noqa: E731
            op = CollectionOp(self, work, lambda _ok: self._done(self.tr("Discarded.")))
            op.failure(self._failed).run_in_background()

    def _done(self, text: str) -> None:
        self.message.show_info(text)
        self.reload()
