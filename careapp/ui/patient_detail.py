"""The patient detail panel: demographics, every identifier, care flows, activities, link actions.

The panel only shows and asks: enrolling and the link actions are signals the main window
answers, so the panel never touches the network or the cache itself."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QListWidget, QPushButton, QVBoxLayout, QWidget

from careapp.backend.hospital_results import ResultMessage
from careapp.domain.patient import Patient
from careapp.storage.care_flows import ActivitySummary, CareFlowSummary
from careapp.ui.dates import date_text, local_moment
from careapp.ui.deliveries import HOSPITAL, not_delivered
from careapp.ui.language.marks import QT_TRANSLATE_NOOP
from careapp.ui.language.words import word_for
from careapp.ui.timeline.panel import TimelinePanel

# Link actions the panel offers for the selected care flow: (key, label, needs the backend's link).
LINK_ACTIONS = (
    ("session_qr", QT_TRANSLATE_NOOP("PatientDetailPanel", "Session &QR"), True),
    ("send_message", QT_TRANSLATE_NOOP("PatientDetailPanel", "Send by SMS / e-&mail…"), True),
    ("static_qr", QT_TRANSLATE_NOOP("PatientDetailPanel", "S&tatic link QR"), True),
    ("copy_link", QT_TRANSLATE_NOOP("PatientDetailPanel", "&Copy link"), True),
    ("print_handout", QT_TRANSLATE_NOOP("PatientDetailPanel", "&Print handout…"), True),
    ("save_pdf", QT_TRANSLATE_NOOP("PatientDetailPanel", "Save handout as P&DF…"), True),
    ("show_to_patient", QT_TRANSLATE_NOOP("PatientDetailPanel", "Show to pa&tient"), True),
)


class PatientDetailPanel(QWidget):
    sig_enroll = Signal()  # enroll the shown patient
    sig_care_flow_selected = Signal(object)  # CareFlowSummary: load its activities
    sig_link_action = Signal(str, object)  # (LINK_ACTIONS key, CareFlowSummary)

    def __init__(self, system_names: dict[str, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._system_names = system_names
        self.patient: Patient | None = None
        self.header = QLabel()
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.header.setWordWrap(True)
        self.header.setAccessibleName(self.tr("Patient"))
        self.header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.care_flows = QListWidget()
        self.care_flows.setAccessibleName(self.tr("Care flows"))
        care_label = QLabel(self.tr("<b>Care flows</b>"))
        care_label.setBuddy(self.care_flows)
        self.enroll_button = QPushButton(self.tr("&Enroll in a care flow…"))
        self.enroll_button.setAccessibleName(self.tr("Enroll in a care flow"))
        self.enroll_button.clicked.connect(self.sig_enroll)
        self.activities = QListWidget()
        self.activities.setAccessibleName(self.tr("Activities"))
        activities_label = QLabel(self.tr("<b>Activities</b>"))
        activities_label.setBuddy(self.activities)
        # What became of the results sent to the hospital (read from the backend when shown).
        self.results = QLabel()
        self.results.setWordWrap(True)
        self.results.setAccessibleName(self.tr("Results sent to the hospital"))
        self.link_hint = QLabel()
        self.link_hint.setWordWrap(True)
        self.link_hint.setStyleSheet("color:#4b5563")
        self.link_buttons: dict[str, QPushButton] = {}
        grid = QGridLayout()
        for n, (key, label, _needs_link) in enumerate(LINK_ACTIONS):
            button = QPushButton(self.tr(label))
            button.setAccessibleName(self.tr(label).replace("&", "").rstrip("…"))
            button.clicked.connect(lambda _checked=False, k=key: self._link_action(k))
            self.link_buttons[key] = button
            grid.addWidget(button, n // 3, n % 3)
        self.care_flows.currentRowChanged.connect(self._care_flow_changed)
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(care_label)
        layout.addWidget(self.care_flows, 2)
        layout.addWidget(self.enroll_button)
        layout.addWidget(activities_label)
        layout.addWidget(self.activities, 1)
        layout.addWidget(self.results)
        layout.addLayout(grid)
        layout.addWidget(self.link_hint)
        self.timeline = TimelinePanel()
        layout.addWidget(self.timeline, 4)
        self._flows: list[CareFlowSummary] = []
        self.clear()

    @property
    def flows(self) -> list[CareFlowSummary]:
        return list(self._flows)

    @property
    def selected_care_flow(self) -> CareFlowSummary | None:
        row = self.care_flows.currentRow()
        return self._flows[row] if 0 <= row < len(self._flows) else None

    def _link_action(self, key: str) -> None:
        flow = self.selected_care_flow
        if flow is not None:
            self.sig_link_action.emit(key, flow)

    def _care_flow_changed(self, _row: int) -> None:
        flow = self.selected_care_flow
        self.activities.clear()
        self.results.setText("")
        started = flow is not None and flow.remote_id is not None
        for button in self.link_buttons.values():
            button.setEnabled(started)
        if flow is None:
            self.link_hint.setText("")
            return
        if not started:
            self.link_hint.setText(
                self.tr("Links and QR codes are ready once this care flow has started on the backend.")
            )
            self.activities.addItem(self.tr("Activities appear once the care flow has started."))
            return
        self.link_hint.setText("")
        self.sig_care_flow_selected.emit(flow)

    def show_activities(self, care_flow_id: int, activities: list[ActivitySummary]) -> None:
        flow = self.selected_care_flow
        if flow is None or flow.id != care_flow_id:
            return  # the clinician has moved on
        self.activities.clear()
        for activity in activities:
            who = self.tr("patient") if activity.stakeholder == "patient" else activity.stakeholder
            self.activities.addItem(f"{activity.title} — {activity.status.replace('_', ' ')} ({who})")
        if not activities:
            self.activities.addItem(self.tr("No activities yet."))

    def show_results(self, care_flow_id: int, messages: list[ResultMessage]) -> None:
        """One line for what reached the hospital, and one per result it refused, with its reason."""
        flow = self.selected_care_flow
        if flow is None or flow.id != care_flow_id:
            return
        if not messages:
            self.results.setText("")
            return
        delivered = sum(m.status == "delivered" for m in messages)
        waiting = [m for m in messages if m.status == "pending"]
        lines = [self.tr("Results to the hospital: %n delivered", "", delivered)]
        if waiting:
            lines[0] += self.tr(", %n waiting to be accepted", "", len(waiting))
        for refused in (m for m in messages if m.status == "failed"):
            lines.append(not_delivered(HOSPITAL, refused.reason, refused.ack_code))
        self.results.setText("\n".join(lines))

    def clear(self) -> None:
        self.patient = None
        self.header.setText(
            self.tr("<p style='color:#6b7280'>Select a patient, or import one from the hospital.</p>")
        )
        self._flows = []
        self.care_flows.clear()
        self.activities.clear()
        if hasattr(self, "timeline"):
            self.timeline.show_rows([])
        self.results.setText("")
        self.enroll_button.setEnabled(False)
        for button in self.link_buttons.values():
            button.setEnabled(False)
        self.link_hint.setText("")

    def show_patient(self, patient: Patient, care_flows: list[CareFlowSummary]) -> None:
        self.patient = patient
        rows = [f"<h2 style='margin-bottom:2px'>{escape(patient.display_name)}</h2>"]
        facts = []
        if patient.birth_date:
            facts.append(date_text(patient.birth_date, long=True))
        facts.append(word_for(patient.sex))
        rows.append(f"<p>{escape(' · '.join(facts))}</p><table cellspacing='4'>")
        for ident in patient.identifiers:
            name = self._system_names.get(ident.system, ident.system)
            rows.append(
                f"<tr><td style='color:#4b5563'>{escape(name)}</td><td><b>{escape(ident.value)}</b></td></tr>"
            )
        for label, value in (
            (self.tr("Phone"), patient.phone),
            (self.tr("Email"), patient.email),
            (self.tr("Address"), patient.address),
        ):
            if value:
                rows.append(
                    f"<tr><td style='color:#4b5563'>{escape(label)}</td><td>{escape(value)}</td></tr>"
                )
        rows.append("</table>")
        self.header.setText("".join(rows))
        self.enroll_button.setEnabled(True)
        self.show_care_flows(care_flows)

    def care_flow_line(self, flow: CareFlowSummary) -> str:
        """ "Heart failure check-in — active · since 2026-11-21 · 1 of 2 activities done"."""
        if flow.status == "queued":
            status = self.tr("queued: starts when the backend is reachable")
        else:
            status = flow.status.replace("_", " ")
        parts = [status, self.tr("since %1").replace("%1", date_text(local_moment(flow.created_at).date()))]
        if flow.activities_total:
            parts.append(
                self.tr("%1 of %2 activities done")
                .replace("%1", str(flow.activities_done))
                .replace("%2", str(flow.activities_total))
            )
        return f"{flow.title} — {' · '.join(parts)}"

    def show_care_flows(self, care_flows: list[CareFlowSummary], keep: int | None = None) -> None:
        """List CARE_FLOWS, keeping the care flow with id KEEP selected if it is still there."""
        keep = keep if keep is not None else (self.selected_care_flow.id if self.selected_care_flow else None)
        self._flows = list(care_flows)
        self.care_flows.blockSignals(True)
        self.care_flows.clear()
        for flow in care_flows:
            self.care_flows.addItem(self.care_flow_line(flow))
        self.care_flows.blockSignals(False)
        if not care_flows:
            self.care_flows.addItem(self.tr("Not enrolled in any care flow yet."))
            self.care_flows.setCurrentRow(-1)
            self._care_flow_changed(-1)
            return
        ids = [f.id for f in care_flows]
        self.care_flows.setCurrentRow(ids.index(keep) if keep in ids else 0)
