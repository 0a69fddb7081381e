"""The care flow's static link as a QR code: never expires, works offline once synced."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from careapp.domain.patient import Patient
from careapp.links.audit_trail import LINK_COPIED, LINK_SHOWN, LinkAuditTrail
from careapp.links.handout import Handout, handout_for
from careapp.links.remote import HostedLinks
from careapp.storage.care_flows import CareFlowSummary
from careapp.ui.links.audited import after_audit
from careapp.ui.links.handout_dialog import CareFlowLinkDialog
from careapp.ui.links.handout_output import HandoutOutput
from careapp.ui.operations import QueryOp

STATIC = "kind=static"


class StaticLinkDialog(CareFlowLinkDialog):
    def __init__(
        self,
        care_flow: CareFlowSummary,
        patient: Patient,
        links: HostedLinks,
        trail: LinkAuditTrail,
        output: HandoutOutput,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(self.tr("Static link QR code"), care_flow, patient, links, trail, output, parent)
        self.link: str | None = None
        self.copy_button = self.add_button(self.tr("&Copy link"), self.copy_link)
        self.add_handout_buttons()

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

    def detail(self) -> str:
        return STATIC

    def copy_link(self) -> None:
        link = self.link
        assert link is not None

        def copy() -> None:
            QGuiApplication.clipboard().setText(link)
            self.show_done(self.tr("Link copied."))

        after_audit(self, self._trail, LINK_COPIED, self.subject, STATIC, copy, self.show_failure)
