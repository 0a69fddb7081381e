"""The admin window: users and the audit log. Opened only for admins; the services check too."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QTabWidget, QVBoxLayout, QWidget

from careapp.auth.roles import Principal, require_admin
from careapp.ui.admin.audit_page import AuditPage
from careapp.ui.admin.promotions_page import ClientFor, PromotionsPage
from careapp.ui.admin.users_page import UsersPage
from careapp.ui.services import Services


class AdminDialog(QDialog):
    def __init__(
        self,
        services: Services,
        admin: Principal,
        parent: QWidget | None = None,
        client_for: ClientFor | None = None,
    ) -> None:
        require_admin(admin)
        super().__init__(parent)
        self.setWindowTitle(self.tr("Administration"))
        self.resize(860, 520)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName(self.tr("Administration"))
        self.users = UsersPage(services.accounts, admin)
        self.audit = AuditPage(services.db)
        self.tabs.addTab(self.users, self.tr("&Users"))
        self.tabs.addTab(self.audit, self.tr("&Audit log"))
        if client_for is not None:
            self.promotions = PromotionsPage(services.settings.backends, client_for, admin.username)
            self.tabs.addTab(self.promotions, self.tr("&Care flows per environment"))
            self.promotions.reload()
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
