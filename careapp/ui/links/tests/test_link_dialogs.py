"""Links and QR codes on the ward desk, against a live server; every QR is decoded with zxing-cpp."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from careapp.links.failures import OFFLINE
from careapp.links.handout import handout_for
from careapp.ui.links.painting import page_image, paint_handout
from careapp.ui.links.patient_view import PatientQrView
from careapp.ui.links.tests.conftest import PATIENT, Desk, decode


def _shown(desk: Desk) -> list[str]:
    return [e.detail or "" for e in desk.audit("link.shown")]


def test_session_qr_counts_down_expires_and_regenerates(desk: Desk, qtbot) -> None:
    flow = desk.care_flow()
    dialog = desk.actions.show_session_qr(flow, PATIENT)
    qtbot.waitUntil(lambda: dialog.qr.link is not None, timeout=15_000)
    first = dialog.session
    assert first is not None and first.url and decode(dialog.qr.grab().toImage()) == [first.url]

    shown_at = desk.clock.now  # the countdown starts when the code arrives, on the desk's clock
    desk.clock.now = shown_at + timedelta(seconds=1)
    dialog.countdown_timer.timeout.emit()
    assert "59:59" in dialog.status.text() and "Active" in dialog.status.text()
    assert not dialog.new_code_button.isVisible()

    desk.clock.now = shown_at + timedelta(minutes=60, seconds=1)
    dialog.countdown_timer.timeout.emit()
    assert dialog.status.text() == "Expired"
    assert dialog.qr.link is None  # an expired code is not left on the screen to be scanned
    assert dialog.new_code_button.isVisible() and dialog.new_code_button.isEnabled()
    assert not dialog.countdown_timer.isActive() and not dialog.poll_timer.isActive()

    qtbot.mouseClick(dialog.new_code_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.qr.link is not None, timeout=15_000)
    second = dialog.session
    assert second is not None and second.id != first.id and second.url != first.url
    assert decode(dialog.qr.grab().toImage()) == [second.url]
    desk.clock.now += timedelta(minutes=1)
    dialog.countdown_timer.timeout.emit()
    assert "59:00" in dialog.status.text()

    rows = desk.audit("link.shown")
    assert [r.subject for r in rows] == ["care_flow:7", "care_flow:7"]
    assert {r.actor for r in rows} == {"user:nurse"}
    assert {r.detail for r in rows} == {
        f"kind=session session={first.id}",
        f"kind=session session={second.id}",
    }
    for row in rows:
        assert first.url not in (row.detail or "") and second.url not in (row.detail or "")


def test_session_status_follows_the_patient_to_completed(desk: Desk, qtbot) -> None:
    dialog = desk.actions.show_session_qr(desk.care_flow(), PATIENT)
    qtbot.waitUntil(lambda: dialog.qr.link is not None, timeout=15_000)
    assert dialog.session is not None and dialog.session.url
    dialog.poll_timer.timeout.emit()
    qtbot.waitUntil(lambda: not dialog._polling, timeout=15_000)
    assert dialog.session.status == "active"

    desk.world.complete_session(dialog.session.url)  # the patient fills in the form on a phone
    with qtbot.waitSignal(dialog.sig_status_changed, timeout=15_000) as changed:
        dialog.poll_timer.timeout.emit()
    assert changed.args == ["completed"]
    assert dialog.status.text() == "Completed" and dialog.qr.link is None
    assert not dialog.new_code_button.isVisible()


def test_session_handout_printed_and_saved_as_pdf(desk: Desk, qtbot) -> None:
    dialog = desk.actions.show_session_qr(desk.care_flow(), PATIENT)
    qtbot.waitUntil(lambda: dialog.qr.link is not None, timeout=15_000)
    session = dialog.session
    assert session is not None and session.url
    handout = dialog.handout()
    assert handout.first_name == "Lotte" and handout.language == "nl"
    assert handout.valid_until and handout.valid_until.startswith("Geldig tot ")
    assert decode(page_image(lambda device: paint_handout(device, handout))) == [session.url]

    dialog.print_button.click()
    qtbot.waitUntil(lambda: "printer" in dialog.message.text(), timeout=15_000)
    dialog.pdf_button.click()
    qtbot.waitUntil(lambda: dialog.message.text().startswith("Saved"), timeout=15_000)
    for pdf in [*desk.printed, desk.tmp / "care-flow-handout.pdf"]:
        data = pdf.read_bytes()
        assert data.startswith(b"%PDF") and len(data) > 1000
    assert [r.action for r in desk.audit("link.printed")] == ["link.printed"]
    assert [r.action for r in desk.audit("link.saved_pdf")] == ["link.saved_pdf"]


def test_show_to_patient_full_screen_closes_on_escape(desk: Desk, qtbot) -> None:
    dialog = desk.actions.show_session_qr(desk.care_flow(), PATIENT)
    qtbot.waitUntil(lambda: dialog.qr.link is not None, timeout=15_000)
    dialog.patient_view_button.click()
    qtbot.waitUntil(lambda: dialog._patient_view is not None, timeout=15_000)
    view = dialog._patient_view
    assert isinstance(view, PatientQrView) and view.isFullScreen()
    assert view.name.text() == "Lotte"  # the first name only: no family name, no ids
    assert decode(view.qr.grab().toImage()) == [dialog.session.url]
    assert any("view=full_screen" in d for d in _shown(desk))
    with qtbot.waitSignal(view.sig_closed, timeout=5_000):
        qtbot.keyClick(view, Qt.Key.Key_Escape)


def test_static_link_qr_copy_and_handout(desk: Desk, qtbot) -> None:
    dialog = desk.actions.show_static_qr(desk.care_flow(), PATIENT)
    qtbot.waitUntil(lambda: dialog.link is not None, timeout=15_000)
    link = dialog.link
    assert link and "/l/" in link and decode(dialog.qr.grab().toImage()) == [link]
    dialog.copy_button.click()
    qtbot.waitUntil(lambda: QGuiApplication.clipboard().text() == link, timeout=15_000)
    handout = dialog.handout()
    assert handout.valid_until is None
    assert decode(page_image(lambda device: paint_handout(device, handout))) == [link]
    assert [r.action for r in desk.audit()] == ["link.copied", "link.shown"]
    assert all(link not in (r.detail or "") for r in desk.audit())


def test_facade_copy_print_and_pdf_of_the_static_link(desk: Desk, qtbot) -> None:
    flow = desk.care_flow()
    desk.actions.copy_link(flow)
    qtbot.waitUntil(lambda: desk.actions.last_message == "Link copied.", timeout=15_000)
    link = QGuiApplication.clipboard().text()
    assert "/l/" in link
    desk.actions.save_handout_pdf(flow, PATIENT)
    qtbot.waitUntil(lambda: desk.actions.last_message.startswith("Saved"), timeout=15_000)
    assert (desk.tmp / "care-flow-handout.pdf").read_bytes().startswith(b"%PDF")
    desk.actions.print_handout(flow, PATIENT)
    qtbot.waitUntil(lambda: "printer" in desk.actions.last_message, timeout=15_000)
    assert desk.printed[0].read_bytes().startswith(b"%PDF")
    assert sorted(r.action for r in desk.audit()) == ["link.copied", "link.printed", "link.saved_pdf"]


def test_enrollment_poster(desk: Desk, qtbot) -> None:
    from careapp.backend.tests.hosted_flows import WALK_IN
    from careapp.storage.care_flows import CareFlowDefinitionSummary

    definition = CareFlowDefinitionSummary(WALK_IN, "Walk-in heart failure check-in", 1, ())
    dialog = desk.actions.show_enrollment_poster(definition)
    qtbot.waitUntil(lambda: dialog.link is not None, timeout=15_000)
    assert dialog.link and "/e/" in dialog.link and decode(dialog.qr.grab().toImage()) == [dialog.link]
    from careapp.ui.links.painting import paint_poster

    poster = dialog.poster()
    assert decode(page_image(lambda device: paint_poster(device, poster))) == [dialog.link]
    assert dialog.language == "en" and poster.scan.startswith("Scan this code")
    dialog.language_choice.setCurrentIndex(dialog.language_choice.findData("pl"))  # a Polish waiting room
    polish = dialog.poster()
    assert polish.scan.startswith("Zeskanuj") and polish.note.startswith("Odpowiedzi trafiają")
    assert decode(page_image(lambda device: paint_poster(device, polish))) == [dialog.link]
    dialog.pdf_button.click()
    qtbot.waitUntil(lambda: dialog.message.text().startswith("Saved"), timeout=15_000)
    assert (desk.tmp / "enrollment-poster.pdf").read_bytes().startswith(b"%PDF")
    assert [(r.action, r.subject) for r in desk.audit()] == [
        ("link.saved_pdf", f"care_flow_definition:{WALK_IN}"),
        ("link.shown", f"care_flow_definition:{WALK_IN}"),
    ]


def test_offline_session_gives_one_clear_line(offline_desk: Desk, qtbot) -> None:
    dialog = offline_desk.actions.show_session_qr(offline_desk.care_flow(), PATIENT)
    qtbot.waitUntil(lambda: dialog.message.text() == OFFLINE, timeout=15_000)
    assert dialog.qr.link is None and dialog.new_code_button.isVisible()
    assert not dialog.print_button.isEnabled()
    assert offline_desk.audit() == []  # nothing was shown, nothing is audited


def test_offline_the_synced_static_link_still_works(offline_desk: Desk, qtbot) -> None:
    synced = "http://127.0.0.1:8750/l/AbC123_-synced-link-token"
    dialog = offline_desk.actions.show_static_qr(offline_desk.care_flow(static_link_url=synced), PATIENT)
    qtbot.waitUntil(lambda: dialog.link is not None, timeout=15_000)
    assert decode(dialog.qr.grab().toImage()) == [synced]
    offline_desk.actions.copy_link(offline_desk.care_flow(remote=True))  # not synced: needs the backend
    qtbot.waitUntil(lambda: offline_desk.actions.last_message == OFFLINE, timeout=15_000)


def test_a_queued_care_flow_has_no_link_yet(desk: Desk, qtbot) -> None:
    dialog = desk.actions.show_session_qr(desk.care_flow(remote=False), PATIENT)
    qtbot.waitUntil(lambda: "next sync" in dialog.message.text(), timeout=15_000)
    assert dialog.qr.link is None


def test_handout_language_follows_the_patient() -> None:
    url = "https://eu.careapp.example/l/" + "t" * 43
    assert handout_for("Élodie", url, language="fr").greeting == "Bonjour Élodie,"
