"""Admin view: which care flows are published in which environment, and promotion warnings."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from careapp.ui.operations import QueryOp
from careapp.ui.widgets import MessageLabel

if TYPE_CHECKING:
    from careapp.backend import BackendClient
    from careapp.backend.promotions import DefinitionOverview
    from careapp.settings import BackendProfile

ClientFor = Callable[["BackendProfile"], "BackendClient"]


class PromotionsPage(QWidget):
    def __init__(
        self, profiles: tuple[BackendProfile, ...], client_for: ClientFor, acting_user: str,
        parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self._profiles = profiles
        self._client_for = client_for
        self._acting_user = acting_user
        self.table = QTableWidget()
        self.table.setAccessibleName(self.tr("Care flows per environment"))
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.message = MessageLabel()
        self.reload_button = QPushButton(self.tr("&Reload"))
        self.reload_button.clicked.connect(self.reload)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.reload_button)

    def reload(self) -> None:
        profiles, client_for, user = self._profiles, self._client_for, self._acting_user

        def fetch() -> tuple[list[str], list[DefinitionOverview]]:
            from careapp.backend import BackendError
            from careapp.backend.promotions import overview, promotion_status

            answers: dict[str, dict | str] = {}
            for profile in profiles:
                label = label_of(profile)
                try:
                    with client_for(profile) as client:
                        answers[label] = promotion_status(client, user)
                except BackendError as exc:  # not paired, unreachable, not an admin there
                    answers[label] = str(exc).split(".")[0]
            return list(answers), overview(answers)

        self.message.show_info(self.tr("Asking each backend…"))
        failed = lambda e: self.message.show_error(str(e))  # noqa: E731
        QueryOp(self, fetch, self._show).failure(failed).run_in_background()

    def _show(self, result: tuple[list[str], list[DefinitionOverview]]) -> None:
        labels, rows = result
        self.table.clear()
        self.table.setColumnCount(len(labels) + 2)
        self.table.setHorizontalHeaderLabels([self.tr("Care flow"), *labels, self.tr("Warnings")])
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            self.table.setItem(r, 0, QTableWidgetItem(row.title or row.definition_id))
            for c, label in enumerate(labels, start=1):
                self.table.setItem(r, c, QTableWidgetItem(row.where.get(label, "")))
            warnings = ("⚠ " + "; ".join(row.warnings)) if row.warnings else ""
            self.table.setItem(r, len(labels) + 1, QTableWidgetItem(warnings))
        self.table.resizeColumnsToContents()
        changed = sum(1 for row in rows if row.warnings)
        summary = self.tr("%1 care flows; %2 changed since their last promotion.").replace(
            "%1", str(len(rows))
        )
        summary = summary.replace("%2", str(changed))
        self.message.show_info(summary if rows else self.tr("No care flows."))


def label_of(profile: BackendProfile) -> str:
    if profile.is_demo:
        return "Local demo"
    return f"{profile.region.upper()} {profile.environment.capitalize()}"
