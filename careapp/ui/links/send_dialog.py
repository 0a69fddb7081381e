"""Send by SMS / e-mail: the care flow's static link or a fresh session link, to the patient.

The address the hospital sent is filled in; the clinician may correct it with the patient, and
is asked to confirm sending to an address the hospital did not give. The request is queued in
the local outbox (offline too) and sent with the next sync. When the backend can be reached the
dialog says whether the patient opted out of a channel (that channel cannot be chosen then) and
which earlier messages failed.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from careapp.backend.client import BackendClient
from careapp.domain.patient import Patient
from careapp.links.sending import Reachability, queue_send, reachability
from careapp.storage.care_flows import CareFlowSummary
from careapp.storage.database import CacheDatabase
from careapp.ui.operations import CollectionOp, QueryOp


class SendLinkDialog(QDialog):
    sig_queued = Signal(str)  # the channel: the request is in the outbox

    def __init__(
        self,
        care_flow: CareFlowSummary,
        patient: Patient,
        db: CacheDatabase,
        actor: str,
        acting_user: str,
        client_factory: Callable[[], BackendClient],
        parent: QWidget | None = None,
        *,
        confirm: Callable[[QWidget, str, str], bool] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Send by SMS / e-mail"))
        self.care_flow, self.patient = care_flow, patient
        self._db, self._actor, self._acting_user, self._client_factory = (
            db,
            actor,
            acting_user,
            client_factory,
        )
        self._confirm = confirm or _ask
        self.reach: Reachability | None = None
        self.email_choice = QRadioButton(self.tr("&E-mail"))
        self.sms_choice = QRadioButton(self.tr("&SMS"))
        self.channels = QButtonGroup(self)
        self.channels.addButton(self.email_choice)
        self.channels.addButton(self.sms_choice)
        self.address = QLineEdit()
        self.address.setAccessibleName(self.tr("Address"))
        address_label = QLabel(self.tr("&To:"))
        address_label.setBuddy(self.address)
        self.link_kind = QComboBox()
        self.link_kind.addItem(self.tr("The care flow's link (never expires)"), "static")
        self.link_kind.addItem(self.tr("A session link (valid 60 minutes)"), "session")
        self.link_kind.setAccessibleName(self.tr("Link"))
        link_label = QLabel(self.tr("&Link:"))
        link_label.setBuddy(self.link_kind)
        self.state = QLabel(self.tr("Asking the backend whether the patient opted out…"))
        self.state.setWordWrap(True)
        self.state.setAccessibleName(self.tr("Opt-out and delivery"))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.send_button = self.buttons.addButton(self.tr("Se&nd"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.send)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow(self.tr("Channel:"), self.email_choice)
        form.addRow("", self.sms_choice)
        form.addRow(address_label, self.address)
        form.addRow(link_label, self.link_kind)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.state)
        layout.addWidget(self.buttons)
        self.email_choice.toggled.connect(self._channel_changed)
        self.sms_choice.toggled.connect(self._channel_changed)
        (self.email_choice if patient.email or not patient.phone else self.sms_choice).setChecked(True)

    @property
    def channel(self) -> str:
        return "email" if self.email_choice.isChecked() else "sms"

    def hospital_address(self) -> str:
        return (self.patient.email if self.channel == "email" else self.patient.phone) or ""

    def _channel_changed(self, _checked: bool = False) -> None:
        self.address.setText(self.hospital_address())
        self._show_state()

    def start(self) -> None:
        """Ask the backend (off the GUI thread) what it knows; offline the dialog still sends."""
        assert self.care_flow.remote_id is not None
        remote_id = self.care_flow.remote_id
        QueryOp(
            self, lambda: reachability(self._client_factory, remote_id, self._acting_user), self._got
        ).failure(self._offline).run_in_background()

    def _got(self, reach: Reachability) -> None:
        self.reach = reach
        self.email_choice.setEnabled(not reach.opted_out("email"))
        self.sms_choice.setEnabled(not reach.opted_out("sms"))
        if reach.opted_out(self.channel):
            other = self.sms_choice if self.channel == "email" else self.email_choice
            if other.isEnabled():
                other.setChecked(True)
        self._show_state()

    def _offline(self, _error: BaseException) -> None:
        self.state.setText(self.tr("Offline: the message is sent at the next sync."))

    def _show_state(self) -> None:
        if self.reach is None:
            return
        lines = []
        for channel, name in (("email", self.tr("e-mail")), ("sms", self.tr("SMS"))):
            if self.reach.opted_out(channel):
                lines.append(self.tr("The patient opted out of %1.").replace("%1", name))
        failed = self.reach.failed
        if failed:
            lines.append(self.tr("%n earlier message(s) could not be delivered.", "", len(failed)))
        self.send_button.setEnabled(not self.reach.opted_out(self.channel))
        self.state.setText(" ".join(lines) or self.tr("The patient can be reached on both channels."))

    def send(self) -> None:
        to = self.address.text().strip()
        if not to:
            self.state.setText(self.tr("Type the address to send to."))
            return
        if to != self.hospital_address():
            question = self.tr("Send to %1? The hospital gave %2.").replace("%1", to)
            question = question.replace("%2", self.hospital_address() or self.tr("no address"))
            if not self._confirm(self, self.tr("Another address"), question):
                return
        typed = None if to == self.hospital_address() else to
        channel, link = self.channel, str(self.link_kind.currentData())
        flow, db, actor = self.care_flow, self._db, self._actor

        def queue() -> str:
            queue_send(db, actor, flow, channel, link=link, to=typed)  # type: ignore[arg-type]  # channel: a Channel, set only from its buttons
            return channel

        self.send_button.setEnabled(False)
        CollectionOp(self, queue, self._queued).failure(self._not_queued).run_in_background()

    def _queued(self, channel: str) -> None:
        self.sig_queued.emit(channel)
        self.accept()

    def _not_queued(self, error: BaseException) -> None:
        self.send_button.setEnabled(True)
        self.state.setText(self.tr("Could not queue the message: %1").replace("%1", str(error)))


def _ask(parent: QWidget, title: str, question: str) -> bool:
    answer = QMessageBox.question(parent, title, question, defaultButton=QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes
