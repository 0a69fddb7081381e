"""Backends tab: the backends this install holds (e.g. EU Sandbox and EU Production), the active
one, and per Sandbox whether an admin allows test patients to be imported from the hospital."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, NamedTuple

from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from careapp.settings import (
    DEMO_BACKEND,
    ENVIRONMENTS,
    REGIONS,
    BackendProfile,
    Settings,
    SettingsError,
    check_backends,
)
from careapp.ui.language.marks import QT_TRANSLATE_NOOP
from careapp.ui.language.words import word_for
from careapp.ui.table_model import RowsModel
from careapp.ui.widgets import MessageLabel, add_row


class BackendRow(NamedTuple):
    profile: BackendProfile
    active: bool


class BackendsModel(RowsModel[BackendRow]):
    HEADERS = (
        QT_TRANSLATE_NOOP("BackendsModel", "Name"),
        QT_TRANSLATE_NOOP("BackendsModel", "Address"),
        QT_TRANSLATE_NOOP("BackendsModel", "Region"),
        QT_TRANSLATE_NOOP("BackendsModel", "Environment"),
        QT_TRANSLATE_NOOP("BackendsModel", "Test patients"),
        QT_TRANSLATE_NOOP("BackendsModel", "Active"),
    )  # translated by headerData

    def cell(self, row: BackendRow, column: int) -> str:
        p = row.profile
        if column == 0:
            return p.label
        if column == 1:
            return self.tr("Local demo") if p.is_demo else p.url
        if column == 2:
            return p.region.upper()
        if column == 3:
            return self.tr("Local demo") if p.is_demo else word_for(p.environment)
        if column == 4:
            if p.is_demo or p.environment != "sandbox":
                return ""
            return self.tr("allowed") if p.allow_test_patients else self.tr("refused")
        return self.tr("active") if row.active else ""


class BackendEditor(QDialog):
    """Add or edit one backend. ``others`` are the rest of the list, to refuse a duplicate."""

    def __init__(
        self,
        profile: BackendProfile | None,
        others: tuple[BackendProfile, ...] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Edit backend") if profile else self.tr("Add backend"))
        self.setMinimumWidth(440)
        self._others = others
        self._result: BackendProfile | None = None
        profile = profile or BackendProfile(url="", label="")
        self.label = QLineEdit(profile.label)
        self.label.setPlaceholderText(self.tr("e.g. EU Sandbox"))
        self.url = QLineEdit("" if profile.is_demo else profile.url)
        self.url.setPlaceholderText(self.tr("empty: the built-in local demo"))
        self.region = QComboBox()
        self.region.addItems([r.upper() for r in REGIONS])
        self.region.setCurrentIndex(REGIONS.index(profile.region) if profile.region in REGIONS else 0)
        self.environment = QComboBox()
        self.environment.addItems([word_for(e) for e in ENVIRONMENTS])
        env = profile.environment if profile.environment in ENVIRONMENTS else "sandbox"
        self.environment.setCurrentIndex(ENVIRONMENTS.index(env))
        self.allow_test_patients = QCheckBox(self.tr("Allow &test patients from the hospital"))
        self.allow_test_patients.setChecked(profile.allow_test_patients)
        self.allow_test_patients.setToolTip(
            self.tr(
                "No real patients in Sandbox: hospital imports into this Sandbox "
                "are refused unless allowed here."
            )
        )
        form = QFormLayout()
        add_row(form, self.tr("&Name:"), self.label)
        add_row(form, self.tr("&Backend URL:"), self.url)
        add_row(form, self.tr("&Region:"), self.region)
        add_row(form, self.tr("&Environment:"), self.environment)
        form.addRow(self.allow_test_patients)
        self.message = MessageLabel()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.try_accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.url.textChanged.connect(self._update_checkbox)
        self.environment.currentIndexChanged.connect(self._update_checkbox)
        self._update_checkbox()

    def _update_checkbox(self) -> None:
        # Only a Sandbox needs the permission: Production takes real patients, the demo its own.
        sandbox = ENVIRONMENTS[self.environment.currentIndex()] == "sandbox" and bool(self.url.text().strip())
        self.allow_test_patients.setEnabled(sandbox)

    def profile(self) -> BackendProfile:
        """The edited profile, unchecked."""
        url = self.url.text().strip().rstrip("/") or DEMO_BACKEND
        environment = ENVIRONMENTS[self.environment.currentIndex()]
        profile = BackendProfile(
            url=url,
            region=REGIONS[self.region.currentIndex()],
            environment=environment,
            label=self.label.text().strip(),
            allow_test_patients=self.allow_test_patients.isChecked()
            and environment == "sandbox"
            and url != DEMO_BACKEND,
        )
        return profile if profile.label else replace(profile, label=profile.title)

    def try_accept(self) -> None:
        profile = self.profile()
        try:
            check_backends((*self._others, profile), 0)
        except SettingsError as exc:
            self.message.show_error(str(exc))
            return
        self._result = profile
        self.accept()

    def result_profile(self) -> BackendProfile | None:
        return self._result


class BackendsPage(QWidget):
    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._backends = settings.backends
        self._active = min(settings.active_backend, len(settings.backends) - 1)
        self.model = BackendsModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName(self.tr("Backends"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        self.add_button = QPushButton(self.tr("&Add…"))
        self.edit_button = QPushButton(self.tr("&Edit…"))
        self.remove_button = QPushButton(self.tr("Re&move"))
        self.activate_button = QPushButton(self.tr("Make a&ctive"))
        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.remove_button, self.activate_button):
            buttons.addWidget(button)
        buttons.addStretch()
        hint = QLabel(
            self.tr(
                "Each backend keeps its own local cache; patients never move between them. "
                "Changing the active backend signs you out."
            )
        )
        hint.setWordWrap(True)
        self.message = MessageLabel()
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        layout.addWidget(hint)
        layout.addWidget(self.message)
        self.add_button.clicked.connect(lambda: self.open_editor(None))
        self.edit_button.clicked.connect(lambda: self.open_editor(self.selected_row()))
        self.table.doubleClicked.connect(lambda index: self.open_editor(index.row()))
        self.remove_button.clicked.connect(lambda: self._guarded(self.remove, self.selected_row()))
        self.activate_button.clicked.connect(lambda: self._guarded(self.activate, self.selected_row()))
        # The model is reset, never replaced, so this selection model lives as long as the table.
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self._show(select=self._active)

    # -- the rules, callable without the buttons ---------------------------------------------

    def values(self) -> tuple[tuple[BackendProfile, ...], int]:
        return self._backends, self._active

    def add(self, profile: BackendProfile) -> None:
        check_backends((*self._backends, profile), self._active)
        self._backends = (*self._backends, profile)
        self._show(select=len(self._backends) - 1)

    def replace_at(self, row: int, profile: BackendProfile) -> None:
        backends = list(self._backends)
        backends[row] = profile
        check_backends(tuple(backends), self._active)
        self._backends = tuple(backends)
        self._show(select=row)

    def remove(self, row: int) -> None:
        if len(self._backends) <= 1:
            raise SettingsError(self.tr("The last backend cannot be removed."))
        if row == self._active:
            raise SettingsError(
                self.tr("The active backend cannot be removed: make another one active first.")
            )
        self._backends = self._backends[:row] + self._backends[row + 1 :]
        if row < self._active:
            self._active -= 1
        self._show(select=self._active)

    def activate(self, row: int) -> None:
        if not 0 <= row < len(self._backends):
            raise SettingsError(self.tr("Choose a backend first."))
        self._active = row
        self._show(select=row)

    # -- the buttons -----------------------------------------------------------------------

    def selected_row(self) -> int:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else -1

    def open_editor(self, row: int | None) -> None:
        if row is not None and not 0 <= row < len(self._backends):
            return
        others = tuple(b for i, b in enumerate(self._backends) if i != row)
        editor = BackendEditor(None if row is None else self._backends[row], others, self)
        if editor.exec() != QDialog.DialogCode.Accepted or (profile := editor.result_profile()) is None:
            return
        self._guarded(self.add, profile) if row is None else self._guarded(self.replace_at, row, profile)

    def _guarded(self, change: Callable[..., None], *args: Any) -> None:
        """Apply ``change``; a broken rule becomes the page's one error line."""
        try:
            change(*args)
        except SettingsError as exc:
            self.message.show_error(str(exc))
        else:
            self.message.show_info("")

    def _show(self, select: int | None = None) -> None:
        self.model.set_rows([BackendRow(p, i == self._active) for i, p in enumerate(self._backends)])
        self.table.resizeColumnsToContents()
        if select is not None:
            self.table.selectRow(select)
        self._update_buttons()

    def _update_buttons(self) -> None:
        row = self.selected_row()
        self.remove_button.setEnabled(len(self._backends) > 1 and row not in (-1, self._active))
        self.activate_button.setEnabled(row not in (-1, self._active))
        self.edit_button.setEnabled(row != -1)
