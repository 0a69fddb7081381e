"""A waiting-room poster: one generic enrollment link of a care flow definition, printable."""

from __future__ import annotations

from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QComboBox, QFormLayout, QVBoxLayout, QWidget

from careapp.links.audit_trail import LINK_SHOWN, LinkAuditTrail, definition_subject
from careapp.links.handout import LANGUAGES, Poster, language_of, poster_for
from careapp.links.remote import HostedLinks
from careapp.ui.links.audited import after_audit
from careapp.ui.links.frame import LinkDialogFrame
from careapp.ui.links.handout_output import HandoutOutput
from careapp.ui.links.painting import paint_poster
from careapp.ui.operations import QueryOp
from careapp.ui.widgets import add_row

ENROLLMENT = "kind=enrollment"
# Each language in its own words: the ward picks the language of the people in its waiting room.
POSTER_LANGUAGES = {
    "en": "English", "nl": "Nederlands", "fr": "Français", "de": "Deutsch", "es": "Español", "pl": "Polski",
}  # fmt: skip


class EnrollmentPosterDialog(LinkDialogFrame):
    """Mints a new generic enrollment link (the backend signs it) each time it is opened."""

    def __init__(
        self,
        definition_id: str,
        title: str,
        links: HostedLinks,
        trail: LinkAuditTrail,
        output: HandoutOutput,
        parent: QWidget | None = None,
        *,
        language: str | None = None,
    ) -> None:
        super().__init__("", title, parent)
        self.setWindowTitle(self.tr("Enrollment poster"))
        self.definition_id = definition_id
        self.title = title
        self.language_choice = QComboBox(self)
        for code in LANGUAGES:
            self.language_choice.addItem(POSTER_LANGUAGES[code], code)
        # The workstation's language unless the caller names one.
        wanted = language_of(language or QLocale().name())
        self.language_choice.setCurrentIndex(self.language_choice.findData(wanted))
        choice = QFormLayout()
        add_row(choice, self.tr("Poster &language:"), self.language_choice)
        frame = self.layout()
        assert isinstance(frame, QVBoxLayout)
        frame.insertLayout(frame.count() - 1, choice)  # above the buttons
        self._links = links
        self._trail = trail
        self._output = output
        self.link: str | None = None
        self.print_button = self.add_button(self.tr("&Print poster"), self.print_poster)
        self.pdf_button = self.add_button(self.tr("&Save as PDF"), self.save_pdf)

    @property
    def language(self) -> str:
        return str(self.language_choice.currentData())

    @property
    def subject(self) -> str:
        return definition_subject(self.definition_id)

    def start(self) -> None:
        self.qr.set_link(None, self.tr("Getting an enrollment link…"))
        QueryOp(self, lambda: self._links.enrollment_link(self.definition_id), self._got).failure(
            self._failed
        ).run_in_background()

    def _got(self, url: str) -> None:
        after_audit(
            self, self._trail, LINK_SHOWN, self.subject, ENROLLMENT, lambda: self._reveal(url), self._failed
        )

    def _reveal(self, url: str) -> None:
        self.link = url
        self.qr.set_link(url)
        self.status.setText(self.tr("Anyone who scans this can enroll themselves"))
        self.print_button.setEnabled(True)
        self.pdf_button.setEnabled(True)

    def _failed(self, error: BaseException) -> None:
        self.qr.set_link(None, self.tr("No code"))
        self.show_failure(error)

    def poster(self) -> Poster:
        assert self.link is not None
        return poster_for(self.title, self.link, language=self.language)

    def print_poster(self) -> None:
        poster = self.poster()
        self._output.print_page(
            self.subject, ENROLLMENT, lambda d: paint_poster(d, poster), self.show_done, self.show_failure
        )

    def save_pdf(self) -> None:
        poster = self.poster()
        self._output.save_pdf(
            self.subject,
            ENROLLMENT,
            lambda d: paint_poster(d, poster),
            "enrollment-poster.pdf",
            self.show_done,
            self.show_failure,
        )
