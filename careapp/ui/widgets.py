"""Small shared pieces: labelled form rows, the environment banner, message helpers."""

from __future__ import annotations

# No ``Qt`` namespace here: its first use costs ~13 ms, and the login window needs these at start-up.
from PySide6.QtWidgets import QFormLayout, QLabel, QWidget

from careapp.settings import BackendProfile

# (text, background, foreground) per kind of environment; production is calm on purpose.
_BANNERS = {
    "demo": ("LOCAL DEMO — not for real patients", "#b45309", "#ffffff"),
    "sandbox": ("SANDBOX — test data only", "#c2410c", "#ffffff"),
    "production": ("{region} PRODUCTION", "#1e3a5f", "#ffffff"),
}


def banner_style(backend: BackendProfile) -> tuple[str, str, str]:
    kind = "demo" if backend.is_demo else backend.environment
    text, bg, fg = _BANNERS[kind]
    return text.format(region=backend.region.upper()), bg, fg


class EnvironmentBanner(QLabel):
    """Always visible: nobody should mistake the demo or Sandbox for real patients."""

    def __init__(self, backend: BackendProfile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("environmentBanner")
        self.show_backend(backend)

    def show_backend(self, backend: BackendProfile) -> None:
        text, bg, fg = banner_style(backend)
        self.setText(text)
        self.setAccessibleName(text)
        self.setStyleSheet(
            f"QLabel#environmentBanner {{ background: {bg}; color: {fg}; font-weight: 600;"
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
        self.setAccessibleName("Message")

    def show_error(self, text: str) -> None:
        from PySide6.QtCore import Qt

        # Selectable, so an error can be copied into a support ticket.
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setStyleSheet("color: #b91c1c;")
        self.setText(text)

    def show_info(self, text: str) -> None:
        self.setStyleSheet("")
        self.setText(text)
