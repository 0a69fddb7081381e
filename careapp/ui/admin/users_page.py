"""Admin page: local accounts (create, disable, unlock, reset password, change role).

The selected user stays selected after every change; disabling an account and changing a role
are confirmed first (the default answer is No)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from careapp.auth.accounts import AccountService, UserSummary
from careapp.auth.roles import Principal, Role
from careapp.ui.dates import date_text, local_moment
from careapp.ui.language.marks import QT_TRANSLATE_NOOP
from careapp.ui.language.words import word_for
from careapp.ui.operations import CollectionOp, QueryOp
from careapp.ui.table_model import RowsModel
from careapp.ui.widgets import MessageLabel, add_row, ask_first


class UserTableModel(RowsModel[UserSummary]):
    HEADERS = (
        QT_TRANSLATE_NOOP("UserTableModel", "User name"),
        QT_TRANSLATE_NOOP("UserTableModel", "Name"),
        QT_TRANSLATE_NOOP("UserTableModel", "Role"),
        QT_TRANSLATE_NOOP("UserTableModel", "Status"),
        QT_TRANSLATE_NOOP("UserTableModel", "Created"),
    )  # translated by headerData

    def cell(self, user: UserSummary, column: int) -> str:
        status = "disabled" if user.disabled else "locked" if user.locked else "active"
        return (
            user.username,
            user.display_name,
            word_for(user.role),
            word_for(status),
            date_text(local_moment(user.created_at).date()),
        )[column]


class NewUserDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("New user"))
        self.username = QLineEdit()
        self.display_name = QLineEdit()
        self.role = QComboBox()
        self.role.addItems([word_for("clinician"), word_for("admin")])
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout()
        add_row(form, self.tr("&User name:"), self.username)
        add_row(form, self.tr("&Full name:"), self.display_name)
        add_row(form, self.tr("&Role:"), self.role)
        add_row(form, self.tr("&Temporary password:"), self.password)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    @property
    def chosen_role(self) -> Role:
        return (Role.CLINICIAN, Role.ADMIN)[self.role.currentIndex()]


class UsersPage(QWidget):
    def __init__(self, accounts: AccountService, admin: Principal, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._accounts = accounts
        self._admin = admin
        self.model = UserTableModel(self)
        self.table = QTableView()
        self.table.setAccessibleName(self.tr("Users"))
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.new_user = QPushButton(self.tr("&New user…"))
        self.toggle_disabled = QPushButton(self.tr("&Disable / enable"))
        self.unlock = QPushButton(self.tr("&Unlock"))
        self.reset_password = QPushButton(self.tr("&Reset password…"))
        self.change_role = QPushButton(self.tr("Change r&ole"))
        self.message = MessageLabel()
        buttons = QHBoxLayout()
        for button in (
            self.new_user,
            self.toggle_disabled,
            self.unlock,
            self.reset_password,
            self.change_role,
        ):
            buttons.addWidget(button)
        buttons.addStretch()
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.table)
        layout.addWidget(self.message)
        self.confirm: QMessageBox | None = None
        self.new_user.clicked.connect(self._create)
        self.toggle_disabled.clicked.connect(self._toggle_disabled)
        self.unlock.clicked.connect(lambda: self._on_selected(lambda u: accounts.unlock(admin, u.id)))
        self.reset_password.clicked.connect(self._reset)
        self.change_role.clicked.connect(self._change_role)
        self.refresh()

    def refresh(self, keep: int | None = None) -> None:
        """Reload the list, keeping user KEEP (or the selected user) selected."""
        selected = self.selected()
        keep = keep if keep is not None else (selected.id if selected else None)

        def show(users: list[UserSummary]) -> None:
            self.model.set_rows(users)
            row = next((i for i, u in enumerate(users) if u.id == keep), None)
            if row is not None:
                self.table.selectRow(row)

        QueryOp(self, lambda: self._accounts.list_users(self._admin), show).failure(
            self._failed
        ).run_in_background()

    def _toggle_disabled(self) -> None:
        accounts, admin = self._accounts, self._admin
        user = self.selected()
        if user is not None and not user.disabled:
            question = self.tr("Disable %1? They can no longer sign in.").replace("%1", user.username)
            self._confirmed(
                question, lambda: self._write(lambda: accounts.set_disabled(admin, user.id, True))
            )
            return
        self._on_selected(lambda u: accounts.set_disabled(admin, u.id, False))

    def _change_role(self) -> None:
        user = self.selected()
        if user is None:
            self.message.show_error(self.tr("Select a user first."))
            return
        role = Role.CLINICIAN if user.role is Role.ADMIN else Role.ADMIN
        question = self.tr("Give %1 the role %2?").replace("%1", user.username).replace("%2", word_for(role))
        accounts, admin = self._accounts, self._admin
        self._confirmed(question, lambda: self._write(lambda: accounts.change_role(admin, user.id, role)))

    def _confirmed(self, question: str, then: Callable[[], None]) -> None:
        self.confirm = ask_first(self, self.tr("Confirm"), question, then)
        self.confirm.finished.connect(lambda _r: setattr(self, "confirm", None))

    def selected(self) -> UserSummary | None:
        index = self.table.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def _on_selected(self, change: Callable[[UserSummary], Any]) -> None:
        user = self.selected()
        if user is None:
            self.message.show_error(self.tr("Select a user first."))
            return
        self._write(lambda: change(user))

    def _write(self, work: Callable[[], Any]) -> None:
        CollectionOp(self, work, lambda _r: self._done()).failure(self._failed).run_in_background()

    def _done(self) -> None:
        self.message.show_info(self.tr("Saved."))
        self.refresh()

    def _failed(self, error: BaseException) -> None:
        self.message.show_error(str(error))

    def _create(self) -> None:
        dialog = NewUserDialog(self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        args = (
            dialog.username.text(),
            dialog.display_name.text(),
            dialog.chosen_role,
            dialog.password.text(),
        )
        self._write(lambda: self._accounts.create_user(self._admin, *args))

    def _reset(self) -> None:
        user = self.selected()
        if user is None:
            self.message.show_error(self.tr("Select a user first."))
            return
        password, ok = QInputDialog.getText(
            self,
            self.tr("Reset password"),
            self.tr("Temporary password for %1:").replace("%1", user.username),
            QLineEdit.EchoMode.Password,
        )
        if ok and password:
            self._write(lambda: self._accounts.reset_password(self._admin, user.id, password))
