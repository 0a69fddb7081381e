"""What the session and static link dialogs share: a care flow's link handed to its patient as a
printed handout, a PDF, or the full-screen view, each written to the audit log first."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from careapp.domain.patient import Patient
from careapp.links.audit_trail import LINK_SHOWN, LinkAuditTrail, care_flow_subject
from careapp.links.handout import Handout, first_name
from careapp.links.remote import HostedLinks
from careapp.storage.care_flows import CareFlowSummary
from careapp.ui.links.audited import after_audit
from careapp.ui.links.frame import LinkDialogFrame
from careapp.ui.links.handout_output import HandoutOutput
from careapp.ui.links.painting import paint_handout
from careapp.ui.links.patient_view import PatientQrView


class CareFlowLinkDialog(LinkDialogFrame):
    """Subclasses say what the handout holds (``handout``) and how it is audited (``detail``)."""

    def __init__(
        self,
        title: str,
        care_flow: CareFlowSummary,
        patient: Patient,
        links: HostedLinks,
        trail: LinkAuditTrail,
        output: HandoutOutput,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("", f"{care_flow.title} — {first_name(patient.given_name)}", parent)
        self.setWindowTitle(title)
        self.care_flow = care_flow
        self.patient = patient
        self._links = links
        self._trail = trail
        self._output = output
        self._patient_view: PatientQrView | None = None

    def add_handout_buttons(self) -> None:
        self.print_button = self.add_button(self.tr("&Print handout"), self.print_handout)
        self.pdf_button = self.add_button(self.tr("&Save as PDF"), self.save_pdf)
        self.patient_view_button = self.add_button(self.tr("Show to &patient"), self.show_to_patient)

    @property
    def subject(self) -> str:
        return care_flow_subject(self.care_flow.id)

    def handout(self) -> Handout:
        raise NotImplementedError

    def detail(self) -> str:
        raise NotImplementedError

    def print_handout(self) -> None:
        handout = self.handout()
        paint = lambda d: paint_handout(d, handout)  # noqa: E731
        self._output.print_page(self.subject, self.detail(), paint, self.show_done, self.show_failure)

    def save_pdf(self) -> None:
        handout = self.handout()
        self._output.save_pdf(
            self.subject,
            self.detail(),
            lambda d: paint_handout(d, handout),
            "care-flow-handout.pdf",
            self.show_done,
            self.show_failure,
        )

    def show_to_patient(self) -> None:
        handout = self.handout()

        def show() -> None:
            view = PatientQrView(handout, self)
            view.sig_closed.connect(lambda: setattr(self, "_patient_view", None))
            self._patient_view = view
            view.showFullScreen()

        detail = self.detail() + " view=full_screen"
        after_audit(self, self._trail, LINK_SHOWN, self.subject, detail, show, self.show_failure)
