"""The session QR dialog against a live server: nothing pending (and the day the next activity
opens), a workstation clock that is off, and its Copy and Close buttons, pressed from the keyboard."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import QDate, QLocale, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest

from careapp.domain.clock import utcnow
from careapp.links.handout import clock_time, local_time
from careapp.storage.remote_patients import naive_utc
from careapp.ui.dates import local_moment
from careapp.ui.links.tests.conftest import PATIENT, Desk, decode


def _shown(desk: Desk, flow, qtbot):
    dialog = desk.actions.show_session_qr(flow, PATIENT)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: dialog.session is not None, timeout=15_000)
    return dialog


def test_nothing_pending_shows_no_code_and_nothing_to_print(desk: Desk, qtbot) -> None:
    flow = desk.care_flow()
    first = _shown(desk, flow, qtbot)
    assert first.session.url
    desk.world.complete_session(first.session.url)  # the patient's only form is done
    first.reject()

    dialog = _shown(desk, flow, qtbot)
    assert dialog.session.status != "active"
    assert dialog.status.text() == "Nothing to do now"
    assert "Lotte has no activities waiting" in dialog.message.text()
    assert dialog.qr.link is None and decode(dialog.qr.grab().toImage()) == []  # nothing to scan
    for button in (dialog.copy_button, dialog.print_button, dialog.pdf_button, dialog.patient_view_button):
        assert not button.isEnabled()
    assert dialog.new_code_button.isVisible() and dialog.new_code_button.text() == "&Check again"
    assert not dialog.countdown_timer.isActive() and not dialog.poll_timer.isActive()
    shown = [r.detail for r in desk.audit("link.shown")]
    assert shown == [f"kind=session session={first.session.id}"]  # the empty one was never shown


def test_handout_prints_the_backends_expiry_when_the_desk_clock_is_off(desk: Desk, qtbot) -> None:
    desk.clock.now = utcnow() + timedelta(hours=3, minutes=17)  # the workstation's clock is wrong
    dialog = _shown(desk, desk.care_flow(), qtbot)
    session = dialog.session
    assert session.status == "active"
    expected = clock_time(local_time(session.expires_at))  # the server's, in the ward's time zone
    handout = dialog.handout()
    assert handout.valid_until == f"Geldig tot {expected}"
    assert expected in handout.note
    wrong = clock_time(local_time(desk.clock.now + timedelta(minutes=60)))
    assert wrong != expected and wrong not in handout.note
    desk.clock.now += timedelta(seconds=30)
    dialog.countdown_timer.timeout.emit()
    assert "59:30" in dialog.status.text()  # the countdown still counts the code's own hour


def test_copy_and_close_from_the_keyboard(desk: Desk, qtbot) -> None:
    dialog = _shown(desk, desk.care_flow(), qtbot)
    url = dialog.session.url
    assert url and dialog.copy_button.isEnabled()
    QTest.keyClick(dialog, Qt.Key.Key_C, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: QGuiApplication.clipboard().text() == url, timeout=15_000)
    assert dialog.message.text() == "Link copied."
    copied = desk.audit("link.copied")
    assert [r.detail for r in copied] == [f"kind=session session={dialog.session.id}"]
    assert url not in (copied[0].detail or "")
    with qtbot.waitSignal(dialog.finished, timeout=5_000):
        QTest.keyClick(dialog, Qt.Key.Key_L, Qt.KeyboardModifier.AltModifier)
    assert not dialog.countdown_timer.isActive()


def test_nothing_pending_says_on_which_day_the_next_activity_opens(desk: Desk, qtbot) -> None:
    flow = desk.care_flow()
    first = _shown(desk, flow, qtbot)
    desk.world.complete_session(first.session.url)  # this week's form is done
    first.reject()
    # The backend's own schedule: the weekly step runs again in 7 days and opens the next form.
    detail = desk.world.api("GET", f"/v1/care-flows/{flow.remote_id}")
    [due] = [r["due_at"] for s in detail["timeline"] for r in s["runs"] if r["status"] == "scheduled"]
    opens = local_moment(naive_utc(due)).date()
    previous = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    try:
        dialog = _shown(desk, flow, qtbot)
    finally:
        QLocale.setDefault(previous)
    assert dialog.session.status != "active" and dialog.session.next_opens_at is not None
    day = QLocale(QLocale.Language.English, QLocale.Country.UnitedStates).toString(
        QDate(opens.year, opens.month, opens.day), "dddd, MMMM d, yyyy"
    )
    assert f"The next one opens on {day}: make a new code then." in dialog.message.text()
    assert str(opens.year) in dialog.message.text()  # four digits, never "3/29/26"
    assert dialog.status.text() == "Nothing to do now"
    assert dialog.qr.link is None and decode(dialog.qr.grab().toImage()) == []
    assert not dialog.print_button.isEnabled() and not dialog.pdf_button.isEnabled()
