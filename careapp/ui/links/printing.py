"""Printing and PDF export of a painted page (handout or poster), A4 portrait."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QPageLayout, QPageSize, QPaintDevice
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QFileDialog, QWidget

PagePainter = Callable[[QPaintDevice], None]
# Asks the clinician for a printer (and fills PRINTER in); False when they cancel.
PrinterChooser = Callable[[QPrinter, QWidget | None], bool]
# Asks where to save a PDF, suggesting a file name; None when they cancel.
PdfPathChooser = Callable[[QWidget | None, str], str | None]


def a4_printer() -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    printer.setPageOrientation(QPageLayout.Orientation.Portrait)
    return printer


def choose_printer(printer: QPrinter, parent: QWidget | None) -> bool:
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(QCoreApplication.translate("Handout", "Print handout"))
    return dialog.exec() == QDialog.DialogCode.Accepted


def choose_pdf_path(parent: QWidget | None, suggested: str) -> str | None:
    title = QCoreApplication.translate("Handout", "Save handout as PDF")
    path, _filter = QFileDialog.getSaveFileName(parent, title, suggested, "PDF (*.pdf)")
    if not path:
        return None
    return path if path.lower().endswith(".pdf") else path + ".pdf"


def print_page(printer: QPrinter, paint: PagePainter) -> None:
    paint(printer)


def write_pdf(path: str | Path, paint: PagePainter) -> Path:
    """Paint onto a PDF file at PATH; the file holds one A4 page."""
    target = Path(path)
    printer = a4_printer()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(target))
    printer.setCreator("CareApp")
    paint(printer)
    if not target.exists() or target.stat().st_size == 0:
        raise OSError(f"The PDF could not be written to {target.name}.")
    return target
