"""Enroll a patient in a care flow: definition, baseline data points, physician. Works offline.

The enrollment is written to the cache with its outbox row in one transaction and shown as
queued; sync starts it on the backend when it is reachable.

Keyboard first: the care flow this ward enrolled in last is chosen, the cursor waits in the first
baseline value, and Enter enrolls. Enrolling again in a care flow the patient still has open
asks first (the default answer is No).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from careapp.ui.dates import date_text, local_moment
from careapp.ui.enroll.baseline_form import BaselineForm, BaselineInvalid
from careapp.ui.operations import CollectionOp, QueryOp
from careapp.ui.widgets import MessageLabel, add_row, ask_first

if TYPE_CHECKING:
    from careapp.auth.roles import Principal
    from careapp.domain.patient import Patient, Physician
    from careapp.storage.care_flows import CareFlowDefinitionSummary, CareFlowSummary
    from careapp.ui.services import Services


# What the dialog loads: definitions, physicians, the patient's care flows, the likely definition.
_Choices = tuple["list[CareFlowDefinitionSummary]", "list[Physician]", "list[CareFlowSummary]", "str | None"]


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
        self._open_flows: dict[str, CareFlowSummary] = {}  # definition id → the patient's open care flow
        self.confirm: QMessageBox | None = None
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
        self.enroll.setEnabled(False)
        buttons.addButton(self.enroll, QDialogButtonBox.ButtonRole.AcceptRole)
        # Enter enrolls: Cancel (first in the box) must not become the default when it has focus
        # or when the dialog picks a default on show.
        for button in buttons.buttons():
            if isinstance(button, QPushButton):
                button.setAutoDefault(False)
        self.enroll.setDefault(True)
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
        patient_id = patient.id
        assert patient_id is not None
        care_flows = services.care_flows

        def load() -> _Choices:
            return (
                care_flows.definitions(),
                services.physicians.all(),
                care_flows.for_patient(patient_id),
                care_flows.likely_definition(patient_id),
            )

        QueryOp(self, load, self._loaded).failure(self._failed).run_in_background()

    def _loaded(self, result: _Choices) -> None:
        definitions, physicians, flows, likely = result
        self._definitions = definitions
        for flow in reversed(flows):  # newest last, so the newest open one is named
            if flow.is_open:
                self._open_flows[flow.definition_id] = flow
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
        self.enroll.setDefault(True)
        if likely is not None and (index := self.definition.findData(likely)) >= 0:
            self.definition.setCurrentIndex(index)  # changing it shows its baseline fields
        self._definition_changed(self.definition.currentIndex())
        self.activateWindow()  # opened as the import dialog closed: take the keyboard back
        if self.baseline.inputs:
            self.baseline.focus_point(0)
        else:
            self.enroll.setFocus()

    def _definition_changed(self, index: int) -> None:
        if 0 <= index < len(self._definitions):
            definition = self._definitions[index]
            self.baseline.set_points(list(definition.baseline_data_points))
            open_flow = self._open_flows.get(definition.id)
            if open_flow is None:
                self.message.show_info("")
            else:
                self.message.show_error(self._already_open(open_flow))

    def _already_open(self, flow: CareFlowSummary) -> str:
        since = date_text(local_moment(flow.created_at).date())
        return (
            self.tr("Already enrolled in %1 since %2 (%3): enrolling again starts a second one.")
            .replace("%1", flow.title)
            .replace("%2", since)
            .replace("%3", flow.status.replace("_", " "))
        )

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
        open_flow = self._open_flows.get(definition.id)
        if open_flow is not None:
            self._confirm_again(open_flow, baseline)
            return
        self._queue(definition, baseline)

    def _confirm_again(self, flow: CareFlowSummary, baseline: dict[str, Any]) -> None:
        index = self.definition.currentIndex()

        def again() -> None:
            if index == self.definition.currentIndex():
                self._queue(self._definitions[index], baseline)

        question = self._already_open(flow) + "\n\n" + self.tr("Enroll in a second one anyway?")
        self.confirm = ask_first(self, self.tr("Enroll again?"), question, again)
        self.confirm.finished.connect(lambda _r: setattr(self, "confirm", None))

    def _queue(self, definition: CareFlowDefinitionSummary, baseline: dict[str, Any]) -> None:
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
