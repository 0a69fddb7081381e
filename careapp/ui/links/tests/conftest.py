"""A live careapp-server (one per test module), a local cache for the audit log, a clock the test
moves, and a LinkActions façade whose printer and file choosers answer without a dialog."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from PySide6.QtCore import QBuffer, QIODevice
from PySide6.QtGui import QImage
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QWidget

from careapp.auth.roles import Principal, Role
from careapp.backend import BackendClient
from careapp.backend.tests.hosted_flows import FLOW, HostedWorld, open_world
from careapp.domain.clock import Clock, utcnow
from careapp.domain.patient import Patient
from careapp.storage import audit
from careapp.storage.audit import AuditEntry
from careapp.storage.care_flows import CareFlowSummary
from careapp.storage.database import CacheDatabase, open_cache
from careapp.ui.links.actions import LinkActions


class MovableClock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now


def decode(image: QImage) -> list[str]:
    """Every QR code zxing-cpp finds in IMAGE (a widget's grab or a painted page)."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]  # run time takes str (bytes fails); the stub says bytes
    picture = Image.open(io.BytesIO(bytes(buffer.data().data())))
    return [r.text for r in zxingcpp.read_barcodes(picture) if r.format == zxingcpp.BarcodeFormat.QRCode]


@dataclass
class Services:
    db: CacheDatabase
    clock: Clock


@dataclass
class Desk:
    """The ward workstation under test."""

    world: HostedWorld
    db: CacheDatabase
    clock: MovableClock
    window: QWidget
    actions: LinkActions
    tmp: Path
    printed: list[Path] = field(default_factory=list)

    def care_flow(self, *, static_link_url: str | None = None, remote: bool = True) -> CareFlowSummary:
        flow = self.world.start_care_flow(language="nl")
        return CareFlowSummary(
            7, "uid-7", flow["id"] if remote else None, 1, FLOW, "Heart failure check-in", "active",
            static_link_url, utcnow(),
        )  # fmt: skip

    def audit(self, action: str = "link.") -> list[AuditEntry]:
        with self.db.reading() as session:
            return audit.query(session, action=action)


PATIENT = Patient("Peeters", "Lotte Marie", (), language="nl")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostedWorld]:
    opened = open_world(Path(tmp_path_factory.mktemp("hosted-server")))
    yield opened
    opened.server.stop()
    assert "Traceback" not in opened.server.log()


def make_desk(world: HostedWorld, qtbot, tmp_path: Path, client_factory=None) -> Desk:
    db = open_cache(tmp_path / "cache.sqlite3")
    clock = MovableClock()
    window = QWidget()
    qtbot.addWidget(window)
    printed: list[Path] = []

    def to_pdf_printer(printer: QPrinter, _parent: QWidget | None) -> bool:
        # Stands in for the print dialog: the "printer" is a PDF file the test can inspect.
        target = tmp_path / f"printed-{len(printed)}.pdf"
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(target))
        printed.append(target)
        return True

    factory = client_factory or world.client
    actions = LinkActions(
        window,
        Services(db, clock),
        Principal(1, "nurse", "Nurse Anna", Role.CLINICIAN),
        lambda: factory(),
        clock,
        printer_chooser=to_pdf_printer,
        pdf_path_chooser=lambda _parent, name: str(tmp_path / name),
        poll_ms=60_000,  # the tests poll by hand
        tick_ms=60_000,
    )
    return Desk(world, db, clock, window, actions, tmp_path, printed)


@pytest.fixture
def desk(world: HostedWorld, qtbot, tmp_path: Path) -> Iterator[Desk]:
    made = make_desk(world, qtbot, tmp_path)
    yield made
    made.db.close()


@pytest.fixture
def offline_desk(world: HostedWorld, qtbot, tmp_path: Path) -> Iterator[Desk]:
    from careapp.backend.tests.live import free_port

    dead = f"http://127.0.0.1:{free_port()}"
    made = make_desk(world, qtbot, tmp_path, lambda: BackendClient(dead, world.credential))
    yield made
    made.db.close()
