"""The one entry point the main window and the patient detail panel use for links and QR codes.

    links = LinkActions(window, services, principal, client_factory)
    links.sig_message.connect(window.statusBar().showMessage)
    links.show_session_qr(care_flow, patient)       # CareFlowSummary, domain Patient

Network calls run off the GUI thread; every link shown, copied or printed is audited first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from careapp.auth.roles import Principal
from careapp.backend.client import BackendClient
from careapp.domain.clock import Clock
from careapp.domain.patient import Patient
from careapp.links.audit_trail import LINK_COPIED, LINK_SHOWN, LinkAuditTrail, care_flow_subject
from careapp.links.failures import describe_failure
from careapp.links.handout import handout_for
from careapp.links.remote import HostedLinks
from careapp.storage.care_flows import CareFlowSummary
from careapp.storage.database import CacheDatabase
from careapp.ui.links.audited import after_audit
from careapp.ui.links.handout_output import HandoutOutput
from careapp.ui.links.painting import paint_handout
from careapp.ui.links.patient_view import PatientQrView
from careapp.ui.links.poster_dialog import EnrollmentPosterDialog
from careapp.ui.links.printing import PdfPathChooser, PrinterChooser, choose_pdf_path, choose_printer
from careapp.ui.links.send_dialog import SendLinkDialog
from careapp.ui.links.session_dialog import POLL_MS, TICK_MS, SessionQrDialog
from careapp.ui.links.static_dialog import STATIC, StaticLinkDialog
from careapp.ui.operations import QueryOp


class LinkServices(Protocol):
    """What LinkActions needs of careapp.ui.services.Services (read only: its fields are frozen)."""

    @property
    def db(self) -> CacheDatabase: ...

    @property
    def clock(self) -> Clock: ...


class DefinitionLike(Protocol):
    """A care flow definition as listed (careapp.storage.care_flows.CareFlowDefinitionSummary)."""

    @property
    def id(self) -> str: ...

    @property
    def title(self) -> str: ...


class LinkActions(QObject):
    sig_message = Signal(str)  # one line for the status bar: done, or what went wrong

    def __init__(
        self,
        parent: QWidget,
        services: LinkServices,
        principal: Principal,
        client_factory: Callable[[], BackendClient],
        clock: Clock | None = None,
        *,
        printer_chooser: PrinterChooser = choose_printer,
        pdf_path_chooser: PdfPathChooser = choose_pdf_path,
        poll_ms: int = POLL_MS,
        tick_ms: int = TICK_MS,
    ) -> None:
        super().__init__(parent)
        self._parent = parent
        self._clock = clock or services.clock
        self.trail = LinkAuditTrail(services.db, principal.actor, self._clock)
        # The provisioned username is who the backend attributes the session to.
        self.links = HostedLinks(client_factory, principal.username)
        self.output = HandoutOutput(
            parent, self.trail, printer_chooser=printer_chooser, pdf_path_chooser=pdf_path_chooser
        )
        self._poll_ms = poll_ms
        self._tick_ms = tick_ms
        self.last_message = ""
        self._db, self._principal, self._client_factory = services.db, principal, client_factory

    @staticmethod
    def has_links(care_flow: CareFlowSummary) -> bool:
        """Whether the link actions make sense yet (enable the buttons on this)."""
        return bool(care_flow.remote_id or care_flow.static_link_url)

    # -- dialogs --------------------------------------------------------------------------------

    def show_session_qr(self, care_flow: CareFlowSummary, patient: Patient) -> SessionQrDialog:
        dialog = SessionQrDialog(
            care_flow,
            patient,
            self.links,
            self.trail,
            self.output,
            self._clock,
            self._parent,
            poll_ms=self._poll_ms,
            tick_ms=self._tick_ms,
        )
        dialog.show()
        dialog.start()
        return dialog

    def send_by_message(self, care_flow: CareFlowSummary, patient: Patient) -> SendLinkDialog:
        """Send by SMS / e-mail: queued in the outbox, sent by the backend (offline too)."""
        principal = self._principal
        dialog = SendLinkDialog(
            care_flow,
            patient,
            self._db,
            principal.actor,
            principal.username,
            self._client_factory,
            self._parent,
        )
        dialog.sig_queued.connect(
            lambda _channel: self._say(self.tr("Message queued; it goes with the next sync."))
        )
        dialog.show()
        dialog.start()
        return dialog

    def show_static_qr(self, care_flow: CareFlowSummary, patient: Patient) -> StaticLinkDialog:
        dialog = StaticLinkDialog(care_flow, patient, self.links, self.trail, self.output, self._parent)
        dialog.show()
        dialog.start()
        return dialog

    def show_enrollment_poster(
        self, definition: DefinitionLike, language: str | None = None
    ) -> EnrollmentPosterDialog:
        dialog = EnrollmentPosterDialog(
            definition.id,
            definition.title,
            self.links,
            self.trail,
            self.output,
            self._parent,
            language=language,
        )
        dialog.show()
        dialog.start()
        return dialog

    # -- the static link without a dialog -------------------------------------------------------

    def copy_link(self, care_flow: CareFlowSummary) -> None:
        def copy(url: str) -> None:
            QGuiApplication.clipboard().setText(url)
            self._say(self.tr("Link copied."))

        self._with_static_link(care_flow, LINK_COPIED, STATIC, copy)

    def print_handout(self, care_flow: CareFlowSummary, patient: Patient) -> None:
        def print_it(url: str) -> None:
            handout = handout_for(patient.given_name, url, language=patient.language)
            self.output.print_page(
                care_flow_subject(care_flow.id),
                STATIC,
                lambda d: paint_handout(d, handout),
                self._say,
                self._fail,
            )

        self._with_static_link(care_flow, None, STATIC, print_it)

    def save_handout_pdf(self, care_flow: CareFlowSummary, patient: Patient) -> None:
        def save(url: str) -> None:
            handout = handout_for(patient.given_name, url, language=patient.language)
            self.output.save_pdf(
                care_flow_subject(care_flow.id),
                STATIC,
                lambda d: paint_handout(d, handout),
                "care-flow-handout.pdf",
                self._say,
                self._fail,
            )

        self._with_static_link(care_flow, None, STATIC, save)

    def show_to_patient(self, care_flow: CareFlowSummary, patient: Patient) -> None:
        def show(url: str) -> None:
            PatientQrView(
                handout_for(patient.given_name, url, language=patient.language), self._parent
            ).showFullScreen()

        self._with_static_link(care_flow, LINK_SHOWN, STATIC + " view=full_screen", show)

    def _with_static_link(
        self, care_flow: CareFlowSummary, action: str | None, detail: str, then: Callable[[str], None]
    ) -> None:
        """Fetch the static link (cached first), audit ACTION when given, then run THEN(url).

        Printing and PDF write their own audit row once a printer or file was chosen.
        """

        def got(url: str) -> None:
            if action is None:
                then(url)
                return
            after_audit(
                self._parent,
                self.trail,
                action,
                care_flow_subject(care_flow.id),
                detail,
                lambda: then(url),
                self._fail,
            )

        QueryOp(self._parent, lambda: self.links.static_link(care_flow), got).failure(
            self._fail
        ).run_in_background()

    def _say(self, text: str) -> None:
        self.last_message = text
        self.sig_message.emit(text)

    def _fail(self, error: BaseException) -> None:
        self._say(describe_failure(error))
