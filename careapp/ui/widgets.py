"""Small shared pieces: labelled form rows, the environment banner, message helpers."""

from __future__ import annotations

# No ``Qt`` namespace here: its first use costs ~13 ms, and the login window needs these at start-up.
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QFormLayout, QLabel, QMessageBox, QWidget

from careapp.settings import BackendProfile
from careapp.ui.language.marks import QT_TRANSLATE_NOOP

# (text, background, foreground) per kind of environment. Production is the strongest on purpose:
# that is where a slip touches real patients. Every pair keeps WCAG AA contrast (>= 4.5:1).
# Blue for the demo, amber with dark text for Sandbox, red for Production.
_BANNERS = {
    "demo": (
        QT_TRANSLATE_NOOP("EnvironmentBanner", "LOCAL DEMO — not for real patients"),
        "#1d4ed8",
        "#ffffff",
    ),
    "sandbox": (
        QT_TRANSLATE_NOOP("EnvironmentBanner", "{region} SANDBOX — test patients only"),
        "#fbbf24",
        "#1c1917",
    ),
    "production": (
        QT_TRANSLATE_NOOP("EnvironmentBanner", "{region} PRODUCTION — real patients"),
        "#b91c1c",
        "#ffffff",
    ),
}


def banner_style(backend: BackendProfile) -> tuple[str, str, str]:
    """(text, background colour, text colour) of the banner for ``backend``."""
    kind = "demo" if backend.is_demo else backend.environment
    text, bg, fg = _BANNERS.get(kind, _BANNERS["sandbox"])
    return QCoreApplication.translate("EnvironmentBanner", text).format(region=backend.region.upper()), bg, fg


class EnvironmentBanner(QLabel):
    """Always visible: nobody should mistake the demo or Sandbox for real patients, or Production
    for a place to try things out."""

    def __init__(self, backend: BackendProfile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("environmentBanner")
        self.show_backend(backend)

    def show_backend(self, backend: BackendProfile) -> None:
        text, bg, fg = banner_style(backend)
        self.setText(text)
        self.setAccessibleName(text)
        self.setToolTip(backend.label if backend.is_demo else f"{backend.label} — {backend.url}")
        weight = 700 if backend.environment == "production" and not backend.is_demo else 600
        self.setStyleSheet(
            f"QLabel#environmentBanner {{ background: {bg}; color: {fg}; font-weight: {weight};"
            " padding: 4px; letter-spacing: 1px; qproperty-alignment: AlignCenter; }"
        )


def add_row(form: QFormLayout, label_text: str, field: QWidget) -> QLabel:
    """A form row whose label is the field's buddy and accessible name."""
    label = QLabel(label_text)
    label.setBuddy(field)
    field.setAccessibleName(label_text.replace("&", "").rstrip(":"))
    form.addRow(label, field)
    return label


class MessageLabel(QLabel):
    """One clear line under a form: red for errors, plain for progress."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setAccessibleName(self.tr("Message"))

    def show_error(self, text: str) -> None:
        from PySide6.QtCore import Qt

        # Selectable, so an error can be copied into a support ticket.
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setStyleSheet("color: #b91c1c;")
        self.setText(text)

    def show_info(self, text: str) -> None:
        self.setStyleSheet("")
        self.setText(text)


def ask_first(parent: QWidget, title: str, question: str, then: Callable[[], None]) -> QMessageBox:
    """A Yes/No question opened without blocking (No is the default: Enter changes nothing);
    THEN runs on Yes. The box is returned so callers and tests can reach it."""
    box = QMessageBox(
        QMessageBox.Icon.Question,
        title,
        question,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        parent,
    )
    box.setDefaultButton(QMessageBox.StandardButton.No)

    def answered(_result: int) -> None:
        if box.standardButton(box.clickedButton()) == QMessageBox.StandardButton.Yes:
            then()

    box.finished.connect(answered)
    box.open()
    return box
