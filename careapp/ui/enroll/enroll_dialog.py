"""Enroll a patient in a care flow: definition, baseline data points, physician. Works offline.

The enrollment is written to the cache with its outbox row in one transaction and shown as
queued; sync starts it on the backend when it is reachable.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from careapp.ui.enroll.baseline_form import BaselineForm, BaselineInvalid
from careapp.ui.operations import CollectionOp, QueryOp
from careapp.ui.widgets import MessageLabel, add_row

if TYPE_CHECKING:
    from careapp.auth.roles import Principal
    from careapp.domain.patient import Patient, Physician
    from careapp.storage.care_flows import CareFlowDefinitionSummary, CareFlowSummary
    from careapp.ui.services import Services


class EnrollDialog(QDialog):
    sig_enrolled = Signal(object)  # CareFlowSummary (status "queued")

    def __init__(
        self, services: Services, principal: Principal, patient: Patient, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Enroll in a care flow"))
        self.setMinimumWidth(460)
        self._services = services
        self._principal = principal
        self._patient = patient
        self._definitions: list[CareFlowDefinitionSummary] = []
        who = QLabel(f"<b>{patient.display_name}</b>")
        self.definition = QComboBox()
        self.physician = QComboBox()
        form = QFormLayout()
        add_row(form, self.tr("Care &flow:"), self.definition)
        add_row(form, self.tr("&Physician:"), self.physician)
        self.baseline = BaselineForm()
        self.message = MessageLabel()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.enroll = QPushButton(self.tr("&Enroll"))
        self.enroll.setDefault(True)
        self.enroll.setEnabled(False)
        buttons.addButton(self.enroll, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.rejected.connect(self.reject)
        self.enroll.clicked.connect(self._submit)
        self.definition.currentIndexChanged.connect(self._definition_changed)
        layout = QVBoxLayout(self)
        layout.addWidget(who)
        layout.addLayout(form)
        layout.addWidget(self.baseline)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.message.show_info(self.tr("Loading care flows…"))
        load = lambda: (services.care_flows.definitions(), services.physicians.all())  # noqa: E731
        QueryOp(self, load, self._loaded).failure(self._failed).run_in_background()

    def _loaded(self, result: tuple[list[CareFlowDefinitionSummary], list[Physician]]) -> None:
        definitions, physicians = result
        self._definitions = definitions
        self.physician.addItem(self.tr("— the patient's physician —"), None)
        for physician in physicians:
            self.physician.addItem(f"{physician.name} ({physician.code})", physician)
            if physician.id is not None and physician.id == self._patient.physician_id:
                self.physician.setCurrentIndex(self.physician.count() - 1)
        for definition in definitions:
            self.definition.addItem(definition.title, definition.id)
        if not definitions:
            self.message.show_error(
                self.tr("No published care flows yet. They arrive with the next sync with the backend.")
            )
            return
        self.message.show_info("")
        self.enroll.setEnabled(True)
        self._definition_changed(self.definition.currentIndex())

    def _definition_changed(self, index: int) -> None:
        if 0 <= index < len(self._definitions):
            self.baseline.set_points(list(self._definitions[index].baseline_data_points))
            self.message.show_info("")

    def _submit(self) -> None:
        index = self.definition.currentIndex()
        if not 0 <= index < len(self._definitions):
            return
        try:
            baseline = self.baseline.values()
        except BaselineInvalid as exc:
            self.message.show_error(str(exc))
            return
        definition = self._definitions[index]
        physician = self.physician.currentData()
        services, actor, patient_id = self._services, self._principal.actor, self._patient.id
        assert patient_id is not None
        self.enroll.setEnabled(False)

        def queue() -> CareFlowSummary:
            return services.care_flows.queue_start(
                patient_id, definition.id, physician=physician, baseline=baseline, actor=actor
            )

        CollectionOp(self, queue, self._queued).failure(self._failed).run_in_background()

    def _queued(self, flow: CareFlowSummary) -> None:
        self.sig_enrolled.emit(flow)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.enroll.setEnabled(True)
        self.message.show_error(str(error))
