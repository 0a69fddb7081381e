"""Text marked for translation where it is defined and translated where it is shown."""

from __future__ import annotations


def QT_TRANSLATE_NOOP(context: str, source: str) -> str:
    """Qt's marker, typed: PySide6 declares its own as returning ``object``. Returns ``source``."""
    del context  # read by pyside6-lupdate from the call, not used at run time
    return source
