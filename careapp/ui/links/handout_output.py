"""Print a page or save it as PDF: ask (printer or file), write the audit row, then paint."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QWidget

from careapp.links.audit_trail import LINK_PRINTED, LINK_SAVED, LinkAuditTrail
from careapp.ui.links.audited import after_audit
from careapp.ui.links.printing import (
    PagePainter,
    PdfPathChooser,
    PrinterChooser,
    a4_printer,
    choose_pdf_path,
    choose_printer,
    write_pdf,
)


class HandoutOutput:
    """Shared by every dialog and the façade. ``done``/``failed`` get one line to show."""

    def __init__(
        self,
        parent: QWidget,
        trail: LinkAuditTrail,
        *,
        printer_chooser: PrinterChooser = choose_printer,
        pdf_path_chooser: PdfPathChooser = choose_pdf_path,
    ) -> None:
        self._parent = parent
        self._trail = trail
        self._choose_printer = printer_chooser
        self._choose_pdf_path = pdf_path_chooser

    def print_page(
        self,
        subject: str,
        detail: str,
        paint: PagePainter,
        done: Callable[[str], None],
        failed: Callable[[BaseException], None],
    ) -> None:
        printer = a4_printer()
        if not self._choose_printer(printer, self._parent):
            return

        def send() -> None:
            paint(printer)
            done(QCoreApplication.translate("Handout", "The handout was sent to the printer."))

        after_audit(self._parent, self._trail, LINK_PRINTED, subject, detail, send, failed)

    def save_pdf(
        self,
        subject: str,
        detail: str,
        paint: PagePainter,
        suggested_name: str,
        done: Callable[[str], None],
        failed: Callable[[BaseException], None],
    ) -> None:
        path = self._choose_pdf_path(self._parent, suggested_name)
        if not path:
            return

        def save() -> None:
            try:
                written = write_pdf(Path(path), paint)
            except OSError as exc:
                failed(exc)
                return
            done(QCoreApplication.translate("Handout", "Saved {name}.").format(name=written.name))

        after_audit(self._parent, self._trail, LINK_SAVED, subject, detail, save, failed)
