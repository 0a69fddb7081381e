"""The patient detail panel: demographics, every identifier, care flows."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QDate, QLocale, Qt
from PySide6.QtWidgets import QLabel, QListWidget, QVBoxLayout, QWidget

from careapp.domain.patient import Patient
from careapp.storage.care_flows import CareFlowSummary


class PatientDetailPanel(QWidget):
    def __init__(self, system_names: dict[str, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._system_names = system_names
        self._locale = QLocale()
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
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(care_label)
        layout.addWidget(self.care_flows, 1)
        self.clear()

    def clear(self) -> None:
        self.patient = None
        self.header.setText(
            self.tr("<p style='color:#6b7280'>Select a patient, or import one from the hospital.</p>")
        )
        self.care_flows.clear()

    def show_patient(self, patient: Patient, care_flows: list[CareFlowSummary]) -> None:
        self.patient = patient
        rows = [f"<h2 style='margin-bottom:2px'>{escape(patient.display_name)}</h2>"]
        facts = []
        if patient.birth_date:
            d = patient.birth_date
            facts.append(self._locale.toString(QDate(d.year, d.month, d.day), QLocale.FormatType.LongFormat))
        facts.append(self.tr(patient.sex.value.capitalize()))
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
        self.care_flows.clear()
        for flow in care_flows:
            status = (
                self.tr("waiting to be sent") if flow.status == "queued" else flow.status.replace("_", " ")
            )
            self.care_flows.addItem(f"{flow.title} — {status}")
        if not care_flows:
            self.care_flows.addItem(self.tr("Not enrolled in any care flow yet."))
