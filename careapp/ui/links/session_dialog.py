"""The session QR: a hosted pages session created just in time, its countdown and live status.

The countdown reads the injected clock on every QTimer tick (tests move the clock and fire the
timer; nobody sleeps). The status is polled off the GUI thread every few seconds. An expired code
disappears from the screen at once, and "New code" starts a new session.

A care flow with nothing pending for the patient gets no code at all: the backend answers with a
session that has already ended, and the dialog says there is nothing to do now and on which day
the next activity opens (the backend's scheduled step, in the answer). The handout
prints the backend's expiry (in the ward's time zone), not this workstation's clock.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from careapp.backend.hosted_pages import ACTIVE, COMPLETED, EXPIRED, HostedSession
from careapp.domain.clock import Clock
from careapp.domain.patient import Patient
from careapp.links.audit_trail import LINK_COPIED, LINK_SHOWN, LinkAuditTrail
from careapp.links.handout import Handout, first_name, handout_for
from careapp.links.remote import HostedLinks
from careapp.storage.care_flows import CareFlowSummary
from careapp.ui.dates import date_text, local_moment
from careapp.ui.links.audited import after_audit
from careapp.ui.links.handout_dialog import CareFlowLinkDialog
from careapp.ui.links.handout_output import HandoutOutput
from careapp.ui.operations import QueryOp

POLL_MS = 5000
TICK_MS = 1000


def countdown(remaining: timedelta) -> str:
    """mm:ss, rounded up, so the last second reads 00:01 and never 00:00 while still valid."""
    seconds = max(0, int(-(-remaining.total_seconds() // 1)))
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


class SessionQrDialog(CareFlowLinkDialog):
    sig_session_started = Signal(object)  # HostedSession
    sig_status_changed = Signal(str)  # active | completed | expired

    def __init__(
        self,
        care_flow: CareFlowSummary,
        patient: Patient,
        links: HostedLinks,
        trail: LinkAuditTrail,
        output: HandoutOutput,
        clock: Clock,
        parent: QWidget | None = None,
        *,
        poll_ms: int = POLL_MS,
        tick_ms: int = TICK_MS,
    ) -> None:
        super().__init__(self.tr("Session QR code"), care_flow, patient, links, trail, output, parent)
        self._clock = clock
        self.session: HostedSession | None = None
        # The expiry on this workstation's clock: the session's lifetime counted from when it
        # arrived, so a workstation clock a few minutes off the backend's still counts 60:00 down.
        self.expires_locally: datetime | None = None
        self._polling = False
        self._starting = False
        self.countdown_timer = QTimer(self)
        self.countdown_timer.setInterval(tick_ms)
        self.countdown_timer.timeout.connect(self.tick)
        self.poll_timer = QTimer(self)
        self.poll_timer.setInterval(poll_ms)
        self.poll_timer.timeout.connect(self.poll)
        self.new_code_button = self.add_button(self.tr("&New code"), self.new_code)
        self.new_code_button.setVisible(False)
        self.copy_button = self.add_button(self.tr("&Copy link"), self.copy_link)
        self.add_handout_buttons()
        self.close_button = self.add_button(self.tr("C&lose"), self.reject, enabled=True)
        self.finished.connect(self._stop)

    # -- session life ---------------------------------------------------------------------------

    def start(self) -> None:
        """Create a session (network, off the GUI thread), write the audit row, then show the code."""
        if self._starting:
            return
        self._starting = True
        self._stop()
        self.session = None
        self.qr.set_link(None, self.tr("Creating a new code…"))
        self.status.setText("")
        self.message.show_info("")
        self._set_actions(False)
        self.new_code_button.setVisible(False)
        QueryOp(
            self, lambda: self._links.new_session(self.care_flow, self.patient.language), self._created
        ).failure(self._start_failed).run_in_background()

    def _created(self, session: HostedSession) -> None:
        if session.status != ACTIVE:
            self._nothing_to_do(session)
            return
        detail = f"kind=session session={session.id}"
        reveal = lambda: self._reveal(session)  # noqa: E731
        after_audit(self, self._trail, LINK_SHOWN, self.subject, detail, reveal, self._start_failed)

    def _reveal(self, session: HostedSession) -> None:
        self._starting = False
        if not session.url:
            self._start_failed(RuntimeError("The backend sent no link."))
            return
        self.session = session
        self.expires_locally = self._clock() + (session.expires_at - session.created_at)
        self.qr.set_link(session.url)
        self._set_actions(True)
        self.sig_session_started.emit(session)
        self.tick()
        if self.session is not None and self.session.status == ACTIVE:
            self.countdown_timer.start()
            self.poll_timer.start()

    def _nothing_to_do(self, session: HostedSession) -> None:
        """Nothing pending for the patient: no code to scan (the phone would only say "expired")."""
        self._starting = False
        self.session = session
        self.qr.set_link(None, self.tr("Nothing to do now"))
        self.status.setText(self.tr("Nothing to do now"))
        name = first_name(self.patient.given_name) or self.tr("The patient")
        if session.next_opens_at is None:
            text = self.tr("%1 has no activities waiting in this care flow and none is scheduled.")
        else:
            # The day in the ward's time zone, the locale's long form with a four-digit year.
            day = date_text(local_moment(session.next_opens_at).date(), long=True)
            text = self.tr(
                "%1 has no activities waiting in this care flow. The next one opens on %2: "
                "make a new code then."
            ).replace("%2", day)
        self.message.show_info(text.replace("%1", name))
        self._set_actions(False)
        self.new_code_button.setText(self.tr("&Check again"))
        self.new_code_button.setVisible(True)
        self.new_code_button.setEnabled(True)
        self.sig_status_changed.emit(session.status)

    def _start_failed(self, error: BaseException) -> None:
        self._starting = False
        self.qr.set_link(None, self.tr("No code"))
        self.show_failure(error)
        self.new_code_button.setText(self.tr("&Try again"))
        self.new_code_button.setVisible(True)
        self.new_code_button.setEnabled(True)

    def new_code(self) -> None:
        self.new_code_button.setText(self.tr("&New code"))
        self.start()

    # -- countdown and status -------------------------------------------------------------------

    def tick(self) -> None:
        session = self.session
        if session is None or session.status != ACTIVE:
            return
        assert self.expires_locally is not None
        remaining = self.expires_locally - self._clock()
        if remaining <= timedelta(0):
            self._ended(EXPIRED)
            return
        self.status.setText(self.tr("Active · valid for {time}").format(time=countdown(remaining)))

    def poll(self) -> None:
        session = self.session
        if self._polling or session is None or session.status != ACTIVE:
            return
        self._polling = True
        QueryOp(self, lambda: self._links.session_status(session.id), self._polled).failure(
            self._poll_failed
        ).run_in_background()

    def _polled(self, fresh: HostedSession) -> None:
        self._polling = False
        current = self.session
        if current is None or fresh.id != current.id or current.status != ACTIVE:
            return  # a newer code, or the countdown already ended this one
        # The backend resets the timer on each completed activity: follow its expiry.
        if self.expires_locally is not None:
            self.expires_locally += fresh.expires_at - current.expires_at
        self.session = dataclasses.replace(current, status=fresh.status, expires_at=fresh.expires_at)
        self.message.show_info("")
        if fresh.status == ACTIVE:
            self.tick()
        else:
            self._ended(fresh.status)

    def _poll_failed(self, error: BaseException) -> None:
        # The code on screen may still work; say the status is unknown, keep counting down.
        self._polling = False
        self.show_failure(error)

    def _ended(self, status: str) -> None:
        assert self.session is not None
        self.session = dataclasses.replace(self.session, status=status)
        self._stop()
        self._set_actions(False)
        if self._patient_view is not None:
            self._patient_view.close()
        if status == COMPLETED:
            self.qr.set_link(None, self.tr("All done. Thank you!"))
            self.status.setText(self.tr("Completed"))
        else:
            self.qr.set_link(None, self.tr("This code has expired."))
            self.status.setText(self.tr("Expired"))
            self.new_code_button.setVisible(True)
            self.new_code_button.setEnabled(True)
            self.new_code_button.setFocus()
        self.sig_status_changed.emit(status)

    def _stop(self) -> None:
        self.countdown_timer.stop()
        self.poll_timer.stop()

    def _set_actions(self, enabled: bool) -> None:
        for button in (self.copy_button, self.print_button, self.pdf_button, self.patient_view_button):
            button.setEnabled(enabled)

    # -- handing it out -------------------------------------------------------------------------

    def handout(self) -> Handout:
        assert self.session is not None and self.session.url and self.session.status == ACTIVE
        return handout_for(
            self.patient.given_name,
            self.session.url,
            language=self.patient.language,
            expires_at=self.session.expires_at,  # the backend's: that is when the phone is refused
        )

    def copy_link(self) -> None:
        session = self.session
        assert session is not None and session.url
        url = session.url

        def copy() -> None:
            QGuiApplication.clipboard().setText(url)
            self.show_done(self.tr("Link copied."))

        after_audit(self, self._trail, LINK_COPIED, self.subject, self.detail(), copy, self.show_failure)

    def detail(self) -> str:
        assert self.session is not None
        return f"kind=session session={self.session.id}"
