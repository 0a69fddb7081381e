"""'Pull SIU now': one pass over the drop folder with progress, cancel and a summary."""

from __future__ import annotations

import threading

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from careapp.auth.roles import Principal
from careapp.integrations import service
from careapp.integrations.siu_pull import SiuSummary
from careapp.ui.operations import CollectionOp
from careapp.ui.services import Services


class SiuPullDialog(QDialog):
    sig_progress = Signal(int, int)  # emitted from the worker; Qt queues it to the GUI thread
    sig_finished = Signal(object)  # SiuSummary

    def __init__(self, services: Services, principal: Principal, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Pull SIU messages"))
        self.setMinimumWidth(460)
        self._services = services
        self._principal = principal
        self._cancel = threading.Event()
        self.status = QLabel(self.tr("Reading the drop folder…"))
        self.status.setWordWrap(True)
        self.status.setAccessibleName(self.tr("Status"))
        self.progress = QProgressBar()
        self.progress.setAccessibleName(self.tr("Progress"))
        self.progress.setRange(0, 0)
        self.cancel = QPushButton(self.tr("&Cancel"))
        self.close_button = QPushButton(self.tr("&Close"))
        self.close_button.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(self.cancel)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.progress)
        layout.addLayout(buttons)
        self.sig_progress.connect(self._show_progress)
        self.cancel.clicked.connect(self._request_cancel)
        self.close_button.clicked.connect(self.accept)

    def start(self) -> None:
        settings, db, actor = self._services.hospital_settings, self._services.db, self._principal.actor
        cancel, progress = self._cancel, self.sig_progress.emit

        def pull() -> SiuSummary:
            return service.pull_siu_folder(
                db, service.hospital_config(settings), actor=actor, progress=progress, cancel=cancel
            )

        CollectionOp(self, pull, self._done).failure(self._failed).run_in_background()

    def _show_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.status.setText(self.tr("File %1 of %2…").replace("%1", str(done)).replace("%2", str(total)))

    def _request_cancel(self) -> None:
        self._cancel.set()
        self.cancel.setEnabled(False)
        self.status.setText(self.tr("Stopping after the current file…"))

    def _done(self, summary: SiuSummary) -> None:
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        lines = [
            self.tr("%1 files read, %2 moved to error/.")
            .replace("%1", str(summary.processed))
            .replace("%2", str(summary.failed)),
            self.tr("%1 new patients, %2 updated, %3 care flows queued.")
            .replace("%1", str(summary.patients_created))
            .replace("%2", str(summary.patients_updated))
            .replace("%3", str(summary.care_flows_queued)),
        ]
        if summary.duplicates:
            lines.append(
                self.tr("%1 messages were seen before and skipped.").replace("%1", str(summary.duplicates))
            )
        if summary.in_progress:
            lines.append(
                self.tr("%1 files are still being written; next pull.").replace(
                    "%1", str(summary.in_progress)
                )
            )
        if summary.stopped:
            lines.append(summary.stopped)
        if summary.cancelled:
            lines.append(self.tr("Cancelled: the rest waits for the next pull."))
        self.status.setText("\n".join(lines))
        self._finish(summary)

    def _failed(self, error: BaseException) -> None:
        self.status.setText(str(error))
        self._finish(None)

    def _finish(self, summary: SiuSummary | None) -> None:
        self.cancel.setEnabled(False)
        self.close_button.setEnabled(True)
        self.sig_finished.emit(summary)
