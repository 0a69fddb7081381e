"""Admin page: the audit log, filtered by action, actor and date."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from PySide6.QtCore import QDate, QTimer
from PySide6.QtWidgets import (
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from careapp.storage import audit
from careapp.storage.audit import AuditEntry
from careapp.storage.database import CacheDatabase
from careapp.ui.dates import moment_text
from careapp.ui.language.marks import QT_TRANSLATE_NOOP
from careapp.ui.operations import QueryOp
from careapp.ui.table_model import RowsModel
from careapp.ui.widgets import add_row


class AuditTableModel(RowsModel[AuditEntry]):
    HEADERS = (
        QT_TRANSLATE_NOOP("AuditTableModel", "When"),
        QT_TRANSLATE_NOOP("AuditTableModel", "Who"),
        QT_TRANSLATE_NOOP("AuditTableModel", "What"),
        QT_TRANSLATE_NOOP("AuditTableModel", "Subject"),
        QT_TRANSLATE_NOOP("AuditTableModel", "Detail"),
    )  # translated by headerData

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._names: dict[str, str] = {}

    def show_entries(self, found: tuple[list[AuditEntry], dict[str, str]]) -> None:
        entries, self._names = found
        self.set_rows(entries)

    def cell(self, entry: AuditEntry, column: int) -> str:
        if column == 3:
            subject = entry.subject or ""
            name = self._names.get(subject)
            return f"{name} ({subject})" if name else subject
        return (
            moment_text(entry.at, seconds=True),  # the workstation's time zone, not UTC
            entry.actor,
            entry.action,
            "",
            entry.detail or "",
        )[column]


class AuditPage(QWidget):
    def __init__(self, db: CacheDatabase, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self.action = QLineEdit()
        self.action.setPlaceholderText(self.tr("e.g. login, patient., user."))
        self.actor = QLineEdit()
        self.actor.setPlaceholderText(self.tr("e.g. user:ann"))
        today = QDate.currentDate()
        self.since = QDateEdit(today.addDays(-7))
        self.until = QDateEdit(today)
        for edit in (self.since, self.until):
            edit.setCalendarPopup(True)
        form = QFormLayout()
        add_row(form, self.tr("&Action starts with:"), self.action)
        add_row(form, self.tr("Act&or:"), self.actor)
        dates = QHBoxLayout()
        form_dates = QFormLayout()
        add_row(form_dates, self.tr("&From:"), self.since)
        add_row(form_dates, self.tr("&To:"), self.until)
        dates.addLayout(form_dates)
        self.model = AuditTableModel(self)
        self.table = QTableView()
        self.table.setAccessibleName(self.tr("Audit log"))
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addLayout(form)
        top.addLayout(dates)
        layout.addLayout(top)
        layout.addWidget(self.table)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(200)
        self._debounce.timeout.connect(self.refresh)
        for signal in (
            self.action.textChanged,
            self.actor.textChanged,
            self.since.dateChanged,
            self.until.dateChanged,
        ):
            signal.connect(lambda *_: self._debounce.start())
        self.refresh()

    def refresh(self) -> None:
        action, actor = self.action.text().strip(), self.actor.text().strip()
        # The chosen days are local days; the log is stored in UTC.
        since = _utc(datetime.combine(_day(self.since.date()), time.min))
        until = _utc(datetime.combine(_day(self.until.date()), time.min) + timedelta(days=1))
        db = self._db

        def load() -> tuple[list[AuditEntry], dict[str, str]]:
            with db.reading() as session:
                entries = audit.query(
                    session, actor=actor or None, action=action or None, since=since, until=until
                )
                return entries, audit.subject_names(session, {e.subject for e in entries if e.subject})

        QueryOp(self, load, self.model.show_entries).run_in_background()


def _utc(local_naive: datetime) -> datetime:
    """A local wall-clock time as the naive UTC the log is stored in."""
    return local_naive.astimezone().astimezone(UTC).replace(tzinfo=None)


def _day(picked: QDate) -> date:
    return date(picked.year(), picked.month(), picked.day())
