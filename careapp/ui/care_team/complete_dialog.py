"""Complete a clinician activity: a message marked done, a checklist ticked, a form filled in
(drawn by the shared form renderer and checked with the backend's own rules). Works offline:
the completion is queued and sent by sync, as the signed-in user."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from careapp.domain.forms import Form, question_from_dict, text_for, validate_answers
from careapp.storage.clinician_work import Completion
from careapp.ui.forms.renderer import FormRenderer, language
from careapp.ui.operations import CollectionOp
from careapp.ui.widgets import MessageLabel

if TYPE_CHECKING:
    from careapp.auth.roles import Principal
    from careapp.storage.timeline import ActivityToComplete
    from careapp.ui.services import Services


class CompleteDialog(QDialog):
    sig_completed = Signal(str)  # the activity's id

    def __init__(
        self,
        services: Services,
        principal: Principal,
        target: ActivityToComplete,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._services, self._principal, self._target = services, principal, target
        activity, lang = target.activity, language()
        self.setWindowTitle(self.tr("Complete: %1").replace("%1", activity.title))
        self.setMinimumWidth(480)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"<b>{activity.title}</b> — {target.care_flow_title}"))
        content = activity.content or {}
        self.checks: list[QCheckBox] = []
        self.form: FormRenderer | None = None
        if content.get("body"):
            body = QLabel(text_for(content["body"], lang))
            body.setWordWrap(True)
            layout.addWidget(body)
        for item in content.get("items") or ():
            box = QCheckBox(text_for(item, lang))
            self.checks.append(box)
            layout.addWidget(box)
        if content.get("form"):
            self.form = FormRenderer()
            self.form.set_questions([question_from_dict(q) for q in content["form"].get("questions") or ()])
            layout.addWidget(self.form)
        self.message = MessageLabel()
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.done_button = QPushButton(self.tr("Mark &done") if not self.form else self.tr("&Submit"))
        buttons.addButton(self.done_button, QDialogButtonBox.ButtonRole.AcceptRole)
        for button in buttons.buttons():
            if isinstance(button, QPushButton):
                button.setAutoDefault(False)
        self.done_button.setDefault(True)
        buttons.rejected.connect(self.reject)
        self.done_button.clicked.connect(self._submit)
        layout.addWidget(buttons)
        first = (
            self.checks[0]
            if self.checks
            else (self.form.inputs[0] if self.form and self.form.inputs else None)
        )
        (first or self.done_button).setFocus()

    def _completion(self) -> Completion | None:
        if self.checks:
            if not all(c.isChecked() for c in self.checks):
                self.message.show_error(self.tr("Tick every item of the checklist first."))
                return None
            return Completion(checked_items=tuple(range(len(self.checks))))
        if self.form is not None:
            answers = self.form.answers()
            result = validate_answers(Form(tuple(self.form.questions)), answers, date.today())
            if not result.ok:
                error = result.errors[0]
                question = next((q for q in self.form.questions if q.id == error.question_id), None)
                label = text_for(question.label, language()) if question else error.question_id
                self.message.show_error(f"{label} {error.message}.")
                if question is not None:
                    self.form.focus_point(self.form.questions.index(question))
                return None
            return Completion(answers=result.answers)
        return Completion()

    def _submit(self) -> None:
        completion = self._completion()
        if completion is None:
            return
        team, principal, activity_id = self._services.care_team, self._principal, self._target.activity.id
        self.done_button.setEnabled(False)
        CollectionOp(
            self, lambda: team.complete(principal, activity_id, completion), lambda _r: self._completed()
        ).failure(self._failed).run_in_background()

    def _completed(self) -> None:
        self.sig_completed.emit(self._target.activity.id)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.done_button.setEnabled(True)
        self.message.show_error(str(error))
