"""The ward workstation's main window: environment banner, patient list, detail, idle lock,
enrollment, link actions and the sync status."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QInputDialog,
    QLabel,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from careapp.auth.accounts import AccountDisabled, AccountLocked
from careapp.auth.roles import Principal
from careapp.domain.identifiers import DEMO_SYSTEMS
from careapp.settings import BackendProfile, Settings
from careapp.ui.idle import IdleWatcher
from careapp.ui.lock_screen import LockScreen
from careapp.ui.operations import CollectionOp, QueryOp
from careapp.ui.patient_detail import PatientDetailPanel
from careapp.ui.patient_list import PatientListPanel
from careapp.ui.services import Services
from careapp.ui.shortcuts import CommandKeysFirst
from careapp.ui.sync_status import SyncStatusBar
from careapp.ui.timeline.rows import rows_for
from careapp.ui.widgets import EnvironmentBanner
from careapp.ui.worklist.pane import WorkListPane

if TYPE_CHECKING:
    from careapp.backend import BackendClient
    from careapp.storage.care_flows import CareFlowDefinitionSummary, CareFlowSummary
    from careapp.sync import SyncReport
    from careapp.ui.connection import Connection
    from careapp.ui.links.actions import LinkActions


class MainWindow(QMainWindow):
    sig_logged_out = Signal(str)  # a message for the login window ("" for none)

    def __init__(
        self,
        services: Services,
        principal: Principal,
        idle_timer: QTimer | None = None,
        connection: Connection | None = None,
    ) -> None:
        super().__init__()
        self.services = services
        self.principal = principal
        self.connection = connection
        self._closing_for_logout = False
        self._link_actions: LinkActions | None = None
        # Work waiting for a patient to load (enroll after an import) and for a care flow to
        # start on the backend (its session QR follows the enrollment).
        self._when_shown: tuple[int, Callable[[], None]] | None = None
        self._qr_after_start: tuple[int, int] | None = None  # (patient id, care flow id)
        self.poster_chooser: QInputDialog | None = None
        self.setWindowTitle(self.tr("CareApp"))
        self.resize(1100, 700)

        self.banner = EnvironmentBanner(services.settings.backend)
        self.patient_list = PatientListPanel(services)
        self.work_list = WorkListPane(services, principal.username)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.patient_list, self.tr("Patients"))
        self.tabs.addTab(self.work_list, self.tr("Work list"))
        # The search box keeps the first focus (a wristband scan lands there); Ctrl+F and
        # Ctrl+Shift+W switch between the tabs, Ctrl+Tab too.
        self.tabs.tabBar().setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.detail = PatientDetailPanel({s.uri: s.name for s in DEMO_SYSTEMS})
        self.detail.timeline.stop_allowed = services.care_team.may_stop(principal)
        self._answers_audited: set[int] = set()  # care flows whose answers this opening has audited
        self._select_after_load: str | None = None
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setContentsMargins(8, 8, 8, 0)
        splitter.addWidget(self.tabs)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        self.lock_screen = LockScreen()
        self.stack = QStackedWidget()
        self.stack.addWidget(splitter)
        self.stack.addWidget(self.lock_screen)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.user_label = QLabel(
            self.tr("Signed in: %1 (%2)")
            .replace("%1", principal.display_name)
            .replace("%2", principal.role.value)
        )
        self.sync_status = SyncStatusBar()
        self.work_counts = QLabel()
        self.work_counts.setAccessibleName(self.tr("Work list counts"))
        self.statusBar().addWidget(self.sync_status)
        self.statusBar().addWidget(self.work_counts)
        self.statusBar().addPermanentWidget(self.user_label)

        self._build_actions()
        commands = [*self.workspace_actions, self.switch_action, self.quit_action]
        self.command_keys = CommandKeysFirst(commands, self)
        self.command_keys.watch([self.patient_list.search])
        self.patient_list.sig_patient_selected.connect(self.open_patient)
        self.patient_list.sig_unknown_identifier.connect(self.open_import)
        self.patient_list.sig_cleared.connect(self.detail.clear)
        self.detail.sig_enroll.connect(self.enroll)
        self.detail.sig_care_flow_selected.connect(self._load_activities)
        self.detail.sig_link_action.connect(self.link_action)
        self.detail.timeline.sig_complete.connect(self.complete_activity)
        self.detail.timeline.sig_stop.connect(self.stop_care_flow)
        self.work_list.sig_open_item.connect(self.open_work_item)
        self.work_list.sig_counts.connect(self.work_counts.setText)
        self.sync_status.sig_sync_now.connect(self.sync_now)
        self.sync_status.sig_show_attention.connect(self.show_attention)
        if connection is not None:
            connection.acting_user = principal.username
            connection.sig_status.connect(self.sync_status.show_status)
            connection.sig_problem.connect(self.sync_status.show_problem)
            connection.sig_synced.connect(self._synced)
            connection.refresh_status()
            connection.sync_now()
        self.lock_screen.sig_unlock_requested.connect(self._unlock)
        self.lock_screen.sig_switch_user.connect(lambda: self.logout(""))

        self.idle = IdleWatcher(services.settings.idle_lock_minutes, idle_timer, self)
        self.idle.sig_idle.connect(self.lock)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.idle)
        self.idle.start()
        self.patient_list.refresh()
        self.work_list.refresh()

    # -- commands ----------------------------------------------------------------------------

    def _action(
        self, text: str, shortcut: QKeySequence | QKeySequence.StandardKey | str, slot, menu
    ) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(slot)
        menu.addAction(action)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        bar = self.menuBar()
        ward = bar.addMenu(self.tr("&Ward"))
        self.find_action = self._action(
            self.tr("&Find patient"), QKeySequence.StandardKey.Find, self.focus_search, ward
        )
        self.import_action = self._action(self.tr("&Import patient…"), "Ctrl+I", self.open_import, ward)
        self.siu_action = self._action(self.tr("Pull &SIU now…"), "Ctrl+Shift+U", self.pull_siu, ward)
        self.enroll_action = self._action(self.tr("&Enroll in a care flow…"), "Ctrl+E", self.enroll, ward)
        self.work_list_action = self._action(self.tr("&Work list"), "Ctrl+Shift+W", self.show_work_list, ward)
        self.complete_action = self._action(
            self.tr("&Complete the selected activity…"),
            "Ctrl+Shift+D",
            self.detail.timeline.complete_selected,
            ward,
        )
        self.stop_action = self._action(
            self.tr("S&top the selected care flow…"), "Ctrl+Shift+X", self.detail.timeline.stop_selected, ward
        )
        self.sync_action = self._action(self.tr("S&ync now"), "Ctrl+Shift+Y", self.sync_now, ward)
        self.poster_action = self._action(
            self.tr("&Waiting-room poster…"), "Ctrl+Shift+P", self.show_enrollment_poster, ward
        )
        self.refresh_action = self._action(
            self.tr("&Refresh"), QKeySequence.StandardKey.Refresh, self.patient_list.refresh, ward
        )
        ward.addSeparator()
        self.lock_action = self._action(self.tr("&Lock workstation"), "Ctrl+L", self.lock, ward)
        self.switch_action = self._action(
            self.tr("&Switch user"), "Ctrl+Shift+L", lambda: self.logout(""), ward
        )
        self.password_action = self._action(
            self.tr("Change my &password…"), "Ctrl+Shift+K", self.change_password, ward
        )
        # Ctrl+Q outright: several platform themes bind nothing to the standard Quit key.
        self.quit_action = self._action(self.tr("&Quit"), "Ctrl+Q", self.close, ward)
        self.tools_menu = tools = bar.addMenu(self.tr("&Tools"))
        self.settings_action = self._action(self.tr("&Settings…"), "Ctrl+,", self.open_settings, tools)
        self.admin_action = self._action(self.tr("&Administration…"), "Ctrl+Shift+A", self.open_admin, tools)
        for action in (self.settings_action, self.admin_action, tools.menuAction()):
            action.setVisible(self.principal.is_admin)  # a clinician sees no empty Tools menu
            action.setEnabled(self.principal.is_admin)
        self.workspace_actions = [
            self.find_action,
            self.import_action,
            self.siu_action,
            self.enroll_action,
            self.work_list_action,
            self.complete_action,
            self.stop_action,
            self.sync_action,
            self.poster_action,
            self.refresh_action,
            self.lock_action,
            self.password_action,
            self.settings_action,
            self.admin_action,
        ]

    def focus_search(self) -> None:
        self.tabs.setCurrentWidget(self.patient_list)
        self.patient_list.search.setFocus()
        self.patient_list.search.selectAll()

    def open_patient(self, patient_id: int) -> None:
        services, actor = self.services, self.principal.actor
        then = self._when_shown

        def load():
            patient = services.patients.record_viewed(patient_id, actor)
            return patient, services.care_flows.for_patient(patient_id) if patient else []

        def show(result) -> None:
            patient, flows = result
            if patient is not None and self.stack.currentIndex() == 0:
                if self._qr_after_start is not None and self._qr_after_start[0] != patient_id:
                    self._qr_after_start = None  # moved on to another patient: no QR pops up later
                if self.detail.patient is None or self.detail.patient.id != patient_id:
                    self._answers_audited.clear()
                self.detail.show_patient(patient, flows)
                if then is not None and then[0] == patient_id and self._when_shown is then:
                    self._when_shown = None
                    then[1]()

        CollectionOp(self, load, show).failure(self.show_error).run_in_background()

    def enroll(self) -> None:
        from careapp.ui.enroll.enroll_dialog import EnrollDialog

        patient = self.detail.patient
        listed = self.patient_list.only_patient()
        if listed is not None and (patient is None or patient.id != listed):
            self._open_then(listed, self.enroll)  # the one patient the search shows
            return
        if patient is None:
            self.statusBar().showMessage(self.tr("Select a patient first."), 5000)
            return
        dialog = EnrollDialog(self.services, self.principal, patient, self)
        dialog.sig_enrolled.connect(self._enrolled)
        dialog.open()

    def _open_then(self, patient_id: int, then: Callable[[], None]) -> None:
        self._when_shown = (patient_id, then)
        self.open_patient(patient_id)

    def _enrolled(self, flow: CareFlowSummary) -> None:
        self._qr_after_start = (flow.patient_id, flow.id)
        if self.connection is None:
            self.statusBar().showMessage(self.tr("Enrolled. The session QR needs a backend."), 10_000)
        else:
            self.statusBar().showMessage(
                self.tr("Enrolled. The session QR opens once the backend has started the care flow."), 30_000
            )
        self._reload_care_flows(keep=flow.id)
        self.sync_now()

    def _reload_care_flows(self, keep: int | None = None) -> None:
        patient = self.detail.patient
        if patient is None or patient.id is None:
            return
        patient_id, care_flows = patient.id, self.services.care_flows

        def show(flows: list[CareFlowSummary]) -> None:
            current = self.detail.patient
            if current is not None and current.id == patient_id:
                self.detail.show_care_flows(flows, keep)
                self._session_qr_if_started(flows)

        load = lambda: care_flows.for_patient(patient_id)  # noqa: E731
        QueryOp(self, load, show).failure(self.show_error).run_in_background()

    def _session_qr_if_started(self, flows: list[CareFlowSummary]) -> None:
        """The session QR of the care flow just enrolled in, as soon as the backend started it."""
        waiting = self._qr_after_start
        started = next((f for f in flows if waiting and f.id == waiting[1] and f.remote_id), None)
        if started is None or self.stack.currentIndex() != 0:
            return
        self._qr_after_start = None
        self.statusBar().clearMessage()
        self.link_action("session_qr", started)

    def _load_activities(self, flow: CareFlowSummary) -> None:
        care_flows = self.services.care_flows
        show = lambda items: self.detail.show_activities(flow.id, items)  # noqa: E731
        load = lambda: care_flows.activities(flow.id)  # noqa: E731
        QueryOp(self, load, show).failure(self.show_error).run_in_background()
        self._load_timeline()
        self._load_results(flow)

    def _load_results(self, flow: CareFlowSummary) -> None:
        """What the hospital made of the care flow's results: read live, only when online."""
        remote_id = flow.remote_id
        if self.connection is None or remote_id is None:
            return
        from careapp.backend.hospital_results import result_messages

        def load() -> list[Any]:
            with self._backend_client() as client:
                return result_messages(client, remote_id, acting_user=self.principal.username)

        show = lambda messages: self.detail.show_results(flow.id, messages)  # noqa: E731
        # Offline, the care flow shows what the cache knows; the results line stays empty.
        QueryOp(self, load, show).failure(lambda _error: None).run_in_background()

    # -- the care team's work ------------------------------------------------------------------

    def show_work_list(self) -> None:
        self.tabs.setCurrentWidget(self.work_list)
        self.work_list.refresh()
        self.work_list.focus_list()

    def open_work_item(self, item) -> None:
        """Open the item's patient with its activity selected in the timeline."""
        self._select_after_load = item.key if item.kind == "activity" else None
        if self.detail.patient is not None and self.detail.patient.id == item.patient_id:
            self._load_timeline()
        else:
            self.open_patient(item.patient_id)

    def _load_timeline(self) -> None:
        patient = self.detail.patient
        if patient is None or patient.id is None:
            return
        patient_id, timelines, clock = patient.id, self.services.timelines, self.services.clock

        def load():
            flows = timelines.for_patient(patient_id)
            return flows, rows_for(flows, now=clock())

        def show(result) -> None:
            flows, rows = result
            current = self.detail.patient
            if current is None or current.id != patient_id or self.stack.currentIndex() != 0:
                return
            wanted, self._select_after_load = self._select_after_load, None
            self.detail.timeline.show_rows(rows, wanted)
            if wanted is not None:
                self.detail.timeline.table.setFocus()
            self._audit_answers([f.id for f in flows if f.has_answers])

        QueryOp(self, load, show).failure(self.show_error).run_in_background()

    def _audit_answers(self, care_flow_ids: list[int]) -> None:
        """Viewing answers is audited, once per care flow each time the patient is opened."""
        fresh = [i for i in care_flow_ids if i not in self._answers_audited]
        self._answers_audited.update(fresh)
        team, principal = self.services.care_team, self.principal
        for flow_id in fresh:
            CollectionOp(self, partial(team.answers_viewed, principal, flow_id), lambda _r: None).failure(
                self.show_error
            ).run_in_background()

    def complete_activity(self, activity_id: str) -> None:
        from careapp.ui.care_team.complete_dialog import CompleteDialog

        timelines = self.services.timelines

        def ask(target) -> None:
            if target is None or self.stack.currentIndex() != 0:
                return
            dialog = CompleteDialog(self.services, self.principal, target, self)
            dialog.sig_completed.connect(lambda _id: self._care_team_changed())
            dialog.open()

        QueryOp(self, lambda: timelines.activity(activity_id), ask).failure(
            self.show_error
        ).run_in_background()

    def stop_care_flow(self, care_flow_id: int) -> None:
        from careapp.ui.care_team.stop_dialog import StopDialog

        patient = self.detail.patient
        flow = next((f for f in self.detail.flows if f.id == care_flow_id), None)
        if patient is None or flow is None:
            return
        dialog = StopDialog(
            self.services, self.principal, care_flow_id, patient.display_name, flow.title, self
        )
        dialog.sig_stopped.connect(lambda _id: self._care_team_changed())
        dialog.open()

    def _care_team_changed(self) -> None:
        self.work_list.refresh()
        self._reload_care_flows()
        self.sync_now()

    def link_action(self, key: str, flow: CareFlowSummary) -> None:
        from careapp.ui.links.session_dialog import SessionQrDialog

        patient = self.detail.patient
        if patient is None:
            return
        actions = self.link_actions()
        if key == "copy_link":
            actions.copy_link(flow)
            return
        handler = {
            "session_qr": actions.show_session_qr,
            "send_message": actions.send_by_message,
            "static_qr": actions.show_static_qr,
            "print_handout": actions.print_handout,
            "save_pdf": actions.save_handout_pdf,
            "show_to_patient": actions.show_to_patient,
        }[key]
        shown = handler(flow, patient)
        if key == "session_qr" and isinstance(shown, SessionQrDialog):
            # The session QR polls its session: when the patient is done, sync at once so the
            # answers, scores and alerts show without waiting for the next sync.
            shown.sig_status_changed.connect(self._sync_when_completed)

    def _sync_when_completed(self, status: str) -> None:
        if status == "completed":
            self.sync_now()

    def show_enrollment_poster(self) -> None:
        """A generic enrollment link QR for a care flow, for the waiting-room wall."""
        care_flows = self.services.care_flows
        QueryOp(self, care_flows.definitions, self._choose_poster_definition).failure(
            self.show_error
        ).run_in_background()

    def _choose_poster_definition(self, definitions: list[CareFlowDefinitionSummary]) -> None:
        if not definitions:
            self.statusBar().showMessage(self.tr("No published care flows yet: sync first."), 8000)
            return
        # A poster can only start a care flow that needs no baseline values from a clinician.
        definitions = [d for d in definitions if d.can_self_enroll]
        if not definitions:
            self.statusBar().showMessage(
                self.tr("None of the published care flows can be started by patients themselves."), 10_000
            )
            return
        titles = [d.title for d in definitions]
        chooser = QInputDialog(self)
        chooser.setWindowTitle(self.tr("Waiting-room poster"))
        chooser.setLabelText(self.tr("Care flow:"))
        chooser.setComboBoxItems(titles)
        chooser.setComboBoxEditable(False)
        chooser.textValueSelected.connect(
            lambda title: self.link_actions().show_enrollment_poster(definitions[titles.index(title)])
        )
        self.poster_chooser = chooser
        chooser.open()

    def link_actions(self) -> LinkActions:
        from careapp.ui.links.actions import LinkActions

        if self._link_actions is None:
            self._link_actions = LinkActions(self, self.services, self.principal, self._backend_client)
            self._link_actions.sig_message.connect(lambda text: self.statusBar().showMessage(text, 10_000))
        return self._link_actions

    def _backend_client(self) -> BackendClient:
        from careapp.backend import Offline

        if self.connection is None:
            raise Offline("This workstation has no backend connection.")
        return self.connection.client()

    def sync_now(self) -> None:
        if self.connection is not None:
            self.connection.sync_now()

    def _synced(self, report: SyncReport) -> None:
        if report.skipped:
            return
        self.patient_list.refresh()
        self.work_list.refresh()  # live: what the patient did on the phone shows without a click
        self._reload_care_flows()

    def _attention_closed(self, _result: int) -> None:
        if self.connection is not None:
            self.connection.refresh_status()

    def show_attention(self) -> None:
        from careapp.ui.attention_dialog import AttentionDialog

        if self.connection is not None and self.connection.engine is not None:
            dialog = AttentionDialog(self.connection.engine, self.principal, self)
            dialog.finished.connect(self._attention_closed)
            dialog.open()

    def open_import(self, scanned: str | None = None) -> None:
        """The import dialog; with SCANNED (a wristband the cache does not know) it looks it up at
        once. After Save it goes on to enrollment."""
        from careapp.ui.hospital_import.import_dialog import ImportDialog

        dialog = ImportDialog(self.services, self.principal, self, go_on_to_enroll=True)
        dialog.sig_saved.connect(self._patient_saved)
        dialog.open()
        if scanned:
            dialog.look_up_scanned(scanned)

    def _patient_saved(self, patient_id: int) -> None:
        self._when_shown = (patient_id, self.enroll)
        self.patient_list.reveal(patient_id)  # selecting it opens it, then the enroll dialog

    def pull_siu(self) -> None:
        from careapp.ui.hospital_import.siu_pull_dialog import SiuPullDialog

        dialog = SiuPullDialog(self.services, self.principal, self)
        dialog.sig_finished.connect(lambda _s: self.patient_list.refresh())
        dialog.open()
        dialog.start()

    def change_password(self) -> None:
        from careapp.ui.change_password import ChangePasswordDialog

        dialog = ChangePasswordDialog(self.services.accounts, self.principal, self)
        dialog.sig_changed.connect(self._password_changed)
        dialog.open()

    def _password_changed(self, principal: Principal) -> None:
        self.principal = principal
        self.statusBar().showMessage(self.tr("Your password was changed."), 10_000)

    def show_error(self, error: BaseException) -> None:
        self.statusBar().showMessage(str(error), 10_000)

    def open_settings(self) -> None:
        from careapp.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.services.settings, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        new = dialog.result_settings()
        backend_changed = new.backend.key != self.services.settings.backend.key
        services, principal = self.services, self.principal
        # The file write and its audit row (an fsync) run on the writer, not the GUI thread.
        CollectionOp(
            self,
            lambda: services.save_settings(principal, new),
            lambda _r: self._settings_saved(new, backend_changed),
        ).failure(self.show_error).run_in_background()

    def _settings_saved(self, new: Settings, backend_changed: bool) -> None:
        self.detail.timeline.stop_allowed = self.services.care_team.may_stop(self.principal)
        self.banner.show_backend(new.backend)  # a label or the test-patients permission may change it
        self.idle.set_minutes(new.idle_lock_minutes)
        self.idle.start()
        if backend_changed:
            self.logout(self.tr("The backend changed. Sign in to the new environment."))

    def open_admin(self) -> None:
        from careapp.ui.admin.admin_dialog import AdminDialog

        AdminDialog(self.services, self.principal, self, client_for=self._client_for).exec()

    def _client_for(self, profile: BackendProfile) -> BackendClient:
        """A client for any configured backend (the active one may be the embedded demo)."""
        from careapp.backend import open_client

        if profile.key == self.services.settings.backend.key:
            return self._backend_client()
        return open_client(profile)

    # -- idle lock and logout ----------------------------------------------------------------

    def lock(self) -> None:
        if self.stack.currentIndex() == 1:
            return
        self.idle.stop()
        self._when_shown = self._qr_after_start = None
        for dialog in self.findChildren(QDialog):  # nothing with patient data stays on screen
            dialog.reject()
        self.patient_list.clear()
        self.work_list.model.set_rows([])
        self.work_counts.setText("")
        self.detail.clear()
        self.stack.setCurrentIndex(1)
        for action in self.workspace_actions:
            action.setEnabled(False)
        self.lock_screen.show_for(self.principal)
        self._audit("session.locked")

    def _unlock(self, password: str) -> None:
        accounts, principal = self.services.accounts, self.principal
        CollectionOp(
            self, lambda: accounts.unlock_session(principal, password), lambda _p: self._unlocked()
        ).failure(self._unlock_failed).run_in_background()

    def _unlocked(self) -> None:
        self.stack.setCurrentIndex(0)
        self.work_list.refresh()
        for action in self.workspace_actions:
            action.setEnabled(
                action not in (self.settings_action, self.admin_action) or self.principal.is_admin
            )
        self.patient_list.refresh()
        self.idle.start()

    def _unlock_failed(self, error: BaseException) -> None:
        if isinstance(error, AccountLocked | AccountDisabled):
            self.logout(str(error), audit=False)
        else:
            self.lock_screen.show_error(str(error))

    def logout(self, message: str = "", audit: bool = True) -> None:
        """Switch user is a full logout: the window closes and the login window returns."""
        if audit:
            self._audit("logout")
        self._closing_for_logout = True
        if self.connection is not None:
            self.connection.acting_user = None  # nobody signed in: sync waits for the next person
        self.sig_logged_out.emit(message)
        self.close()

    def _audit(self, action: str) -> None:
        accounts, principal = self.services.accounts, self.principal
        CollectionOp(self, lambda: accounts.record(principal, action), lambda _r: None).failure(
            self.show_error
        ).run_in_background()

    def closeEvent(self, event: QCloseEvent) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self.idle)
        self.idle.stop()
        super().closeEvent(event)
        if not self._closing_for_logout:  # closing the window quits; that ends the session too
            self._audit("logout")
            if app is not None:
                app.quit()
