"""Stop a care flow, after a confirmation naming the patient and the care flow, with a reason.
Queued like an enrollment; audited here and on the backend."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from careapp.ui.operations import CollectionOp
from careapp.ui.widgets import MessageLabel, add_row

if TYPE_CHECKING:
    from careapp.auth.roles import Principal
    from careapp.ui.services import Services


class StopDialog(QDialog):
    sig_stopped = Signal(int)  # the care flow's local id

    def __init__(
        self,
        services: Services,
        principal: Principal,
        care_flow_id: int,
        patient_name: str,
        care_flow_title: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._services, self._principal, self._care_flow_id = services, principal, care_flow_id
        self.setWindowTitle(self.tr("Stop care flow?"))
        question = QLabel(
            self.tr(
                "Stop %1 for %2? Its open activities are canceled and the patient's link shows nothing more."
            )
            .replace("%1", f"<b>{care_flow_title}</b>")
            .replace("%2", f"<b>{patient_name}</b>")
        )
        question.setWordWrap(True)
        self.reason = QLineEdit()
        self.reason.setMaxLength(500)
        form = QFormLayout()
        add_row(form, self.tr("&Reason:"), self.reason)
        self.message = MessageLabel()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.stop_button = QPushButton(self.tr("&Stop care flow"))
        self.stop_button.setAutoDefault(False)
        buttons.addButton(self.stop_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        buttons.rejected.connect(self.reject)
        self.stop_button.clicked.connect(self._submit)
        layout = QVBoxLayout(self)
        layout.addWidget(question)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.reason.setFocus()

    def _submit(self) -> None:
        reason = self.reason.text().strip()
        if not reason:
            self.message.show_error(self.tr("Give a reason for stopping the care flow."))
            self.reason.setFocus()
            return
        team, principal, flow = self._services.care_team, self._principal, self._care_flow_id
        self.stop_button.setEnabled(False)
        CollectionOp(self, lambda: team.stop(principal, flow, reason), lambda _r: self._stopped()).failure(
            self._failed
        ).run_in_background()

    def _stopped(self) -> None:
        self.sig_stopped.emit(self._care_flow_id)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.stop_button.setEnabled(True)
        self.message.show_error(str(error))
