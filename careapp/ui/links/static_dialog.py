"""The care flow's static link as a QR code: never expires, works offline once synced."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from careapp.domain.patient import Patient
from careapp.links.audit_trail import LINK_COPIED, LINK_SHOWN, LinkAuditTrail, care_flow_subject
from careapp.links.handout import Handout, first_name, handout_for
from careapp.links.remote import HostedLinks
from careapp.storage.care_flows import CareFlowSummary
from careapp.ui.links.audited import after_audit
from careapp.ui.links.frame import LinkDialogFrame
from careapp.ui.links.handout_output import HandoutOutput
from careapp.ui.links.painting import paint_handout
from careapp.ui.links.patient_view import PatientQrView
from careapp.ui.operations import QueryOp

STATIC = "kind=static"


class StaticLinkDialog(LinkDialogFrame):
    def __init__(
        self,
        care_flow: CareFlowSummary,
        patient: Patient,
        links: HostedLinks,
        trail: LinkAuditTrail,
        output: HandoutOutput,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("", f"{care_flow.title} — {first_name(patient.given_name)}", parent)
        self.setWindowTitle(self.tr("Static link QR code"))
        self.care_flow = care_flow
        self.patient = patient
        self._links = links
        self._trail = trail
        self._output = output
        self.link: str | None = None
        self.copy_button = self.add_button(self.tr("&Copy link"), self.copy_link)
        self.print_button = self.add_button(self.tr("&Print handout"), self.print_handout)
        self.pdf_button = self.add_button(self.tr("&Save as PDF"), self.save_pdf)
        self.patient_view_button = self.add_button(self.tr("Show to &patient"), self.show_to_patient)

    @property
    def subject(self) -> str:
        return care_flow_subject(self.care_flow.id)

    def start(self) -> None:
        """The synced link at once; otherwise ask the backend (off the GUI thread)."""
        self.qr.set_link(None, self.tr("Getting the link…"))
        QueryOp(self, lambda: self._links.static_link(self.care_flow), self._got).failure(
            self._failed
        ).run_in_background()

    def _got(self, url: str) -> None:
        reveal = lambda: self._reveal(url)  # noqa: E731 - keeps the call on one line
        after_audit(self, self._trail, LINK_SHOWN, self.subject, STATIC, reveal, self._failed)

    def _reveal(self, url: str) -> None:
        self.link = url
        self.qr.set_link(url)
        self.status.setText(self.tr("Valid until every activity is done"))
        for button in (self.copy_button, self.print_button, self.pdf_button, self.patient_view_button):
            button.setEnabled(True)

    def _failed(self, error: BaseException) -> None:
        self.qr.set_link(None, self.tr("No code"))
        self.show_failure(error)

    def handout(self) -> Handout:
        assert self.link is not None
        return handout_for(self.patient.given_name, self.link, language=self.patient.language)

    def copy_link(self) -> None:
        link = self.link
        assert link is not None

        def copy() -> None:
            QGuiApplication.clipboard().setText(link)
            self.show_done(self.tr("Link copied."))

        after_audit(self, self._trail, LINK_COPIED, self.subject, STATIC, copy, self.show_failure)

    def print_handout(self) -> None:
        handout = self.handout()
        self._output.print_page(
            self.subject, STATIC, lambda d: paint_handout(d, handout), self.show_done, self.show_failure
        )

    def save_pdf(self) -> None:
        handout = self.handout()
        self._output.save_pdf(
            self.subject,
            STATIC,
            lambda d: paint_handout(d, handout),
            "care-flow-handout.pdf",
            self.show_done,
            self.show_failure,
        )

    def show_to_patient(self) -> None:
        handout = self.handout()

        def show() -> None:
            PatientQrView(handout, self).showFullScreen()

        after_audit(
            self, self._trail, LINK_SHOWN, self.subject, STATIC + " view=full_screen", show, self.show_failure
        )
