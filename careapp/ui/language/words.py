"""The care domain's coded values as a clinician reads them, in the workstation's language.

Codes (``female``, ``clinician``, ``sandbox``) stay codes everywhere else; only the screen shows
the words. Marked with QT_TRANSLATE_NOOP so ``pyside6-lupdate`` collects them under one context.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from careapp.ui.language.marks import QT_TRANSLATE_NOOP

_WORDS = {
    "male": QT_TRANSLATE_NOOP("Words", "Male"),
    "female": QT_TRANSLATE_NOOP("Words", "Female"),
    "other": QT_TRANSLATE_NOOP("Words", "Other"),
    "unknown": QT_TRANSLATE_NOOP("Words", "Unknown"),
    "clinician": QT_TRANSLATE_NOOP("Words", "Clinician"),
    "admin": QT_TRANSLATE_NOOP("Words", "Admin"),
    "active": QT_TRANSLATE_NOOP("Words", "Active"),
    "disabled": QT_TRANSLATE_NOOP("Words", "Disabled"),
    "locked": QT_TRANSLATE_NOOP("Words", "Locked"),
    "sandbox": QT_TRANSLATE_NOOP("Words", "Sandbox"),
    "production": QT_TRANSLATE_NOOP("Words", "Production"),
}


def word_for(code: str) -> str:
    """The translated word for a coded value; an unknown code is shown as it is."""
    word = _WORDS.get(str(code))
    return QCoreApplication.translate("Words", word) if word else str(code)
