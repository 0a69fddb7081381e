"""Regenerate the README's screenshots: drives the real app on a throwaway profile.

Run under a virtual screen:  xvfb-run -a python scripts/make_screenshots.py
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import date
from pathlib import Path

# CAREAPP_SCREENSHOTS writes them elsewhere (the test that runs this script uses a temporary folder).
README_SHOTS = Path(__file__).resolve().parents[1] / "resources" / "screenshots"
OUT = Path(os.environ.get("CAREAPP_SCREENSHOTS") or README_SHOTS)
os.environ.setdefault("CAREAPP_PROFILE", tempfile.mkdtemp(prefix="careapp-shots-"))

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID, DEMO_HOSPITAL_VISIT_NUMBER, Identifier  # noqa: E402
from careapp.domain.patient import Patient, Physician, Sex  # noqa: E402
from careapp.settings import BackendProfile, Settings  # noqa: E402

PATIENTS = [
    ("Łukasiewicz", "Jan", date(1948, 3, 2), Sex.MALE),
    ("Dupré", "Élodie", date(1986, 11, 23), Sex.FEMALE),
    ("Yamada", "Tarō", date(1972, 6, 9), Sex.MALE),
    ("O'Brien", "Siobhán", date(1959, 1, 30), Sex.FEMALE),
    ("Müller", "Jürgen", date(1963, 8, 14), Sex.MALE),
    ("Peeters", "An", date(2001, 4, 5), Sex.FEMALE),
    ("García Núñez", "José", date(1990, 12, 1), Sex.MALE),
]


def settle(ms: int = 400) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def shoot(widget: QWidget, name: str) -> None:
    settle()
    OUT.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(OUT / f"{name}.png"))
    print(OUT / f"{name}.png")


def main() -> int:
    app = QApplication(sys.argv)
    from careapp.ui.login import LoginDialog
    from careapp.ui.main_window import MainWindow
    from careapp.ui.services import Services

    services = Services.open(Settings())
    admin = services.accounts.create_first_admin("admin", "Ward Admin", "correct horse")
    for i, (family, given, born, sex) in enumerate(PATIENTS):
        services.patients.save_imported(
            Patient(
                family,
                given,
                (
                    Identifier(DEMO_HOSPITAL_PATIENT_ID, f"HOSP-{4211 + i:06d}"),
                    Identifier(DEMO_HOSPITAL_VISIT_NUMBER, f"V{880120 + i}"),
                ),
                birth_date=born,
                sex=sex,
            ),
            physician=Physician("D01", "Dr. Maes"),
            actor="script",
            source="demo",
        )
    login = LoginDialog(BackendProfile())
    login.show()
    login.set_services(services)
    login.username.setText("admin")
    shoot(login, "01-login")
    login.hide()

    window = MainWindow(services, admin)
    window.show()
    settle()
    window.patient_list.table.selectRow(1)
    shoot(window, "02-patient-list")
    window.lock()
    shoot(window, "03-locked")
    window.close()
    services.close()
    app.processEvents()
    ward_loop()
    app.processEvents()
    return 0


def wait_for(condition, seconds: float = 60) -> None:  # type: ignore[no-untyped-def]
    for _ in range(int(seconds * 10)):
        if condition():
            return
        settle(100)
    raise RuntimeError("the demo did not get there in time")


def ward_loop() -> None:
    """The README's ward flow on the embedded demo: import, enroll, sync, session QR."""
    from careapp.integrations import service as hospital
    from careapp.ui.connection import Connection
    from careapp.ui.enroll.enroll_dialog import EnrollDialog
    from careapp.ui.links.session_dialog import SessionQrDialog
    from careapp.ui.main_window import MainWindow
    from careapp.ui.services import Services

    os.environ["CAREAPP_PROFILE"] = tempfile.mkdtemp(prefix="careapp-shots-demo-")
    services = Services.open(Settings())
    admin = services.accounts.create_first_admin("admin", "Ward Admin", "correct horse")
    connection = Connection(services)
    connection.start()
    window = MainWindow(services, admin, connection=connection)
    window.resize(1200, 760)
    window.show()
    wait_for(lambda: connection.engine is not None and bool(services.care_flows.definitions()))
    config = hospital.hospital_config(services.hospital_settings)
    [record] = hospital.look_up_patient(config, "100003")
    saved = hospital.save_imported_patient(
        services.db, config, record.patient, record.attending, actor=admin.actor, source="hl7"
    )
    window.patient_list.refresh()
    settle()
    window.patient_list.reveal(saved.patient.id)
    wait_for(lambda: window.detail.patient is not None)
    window.enroll()
    dialog = window.findChild(EnrollDialog)
    wait_for(dialog.enroll.isEnabled)
    dialog.definition.setCurrentIndex(dialog.definition.findData("chronic-care-check-in"))
    dialog.baseline.inputs[0].setText("74.5")
    shoot(dialog, "04-enroll")
    dialog.enroll.click()
    # The session QR follows the enrollment by itself once the backend has started the care flow.
    wait_for(lambda: window.findChild(SessionQrDialog) is not None)
    qr = window.findChild(SessionQrDialog)
    wait_for(lambda: qr.qr.link is not None)
    activities = window.detail.activities
    wait_for(lambda: activities.count() > 0 and "No activities" not in activities.item(0).text()
             and "activities done" in window.detail.care_flows.item(0).text())  # fmt: skip
    shoot(window, "05-enrolled")
    shoot(qr, "06-session-qr")
    qr.reject()
    care_team(window, services, saved.patient.id)
    connection.stop()
    window.close()
    services.close()


def answer_phq9_on_the_phone(link: str) -> None:
    """The patient's answers through the real patient page, as a phone without JavaScript posts
    them: item 9 above "not at all" (the urgent alert) and a score of 10 (the review opens)."""
    import re

    import requests

    with requests.Session() as phone:
        page = phone.get(link, timeout=30)
        fields = dict(re.findall(r'name="(csrf|activity_id)" value="([^"]*)"', page.text))
        items = sorted(set(re.findall(r'name="([^"]+)" value="several_days"', page.text)))
        answers = {name: "several_days" for name in items} | {items[0]: "more_than_half"}
        phone.post(page.url, data={**fields, "action": "activity", **answers}, timeout=30).raise_for_status()


def care_team(window, services, patient_id: int) -> None:  # type: ignore[no-untyped-def]
    """The work list and the timeline: the patient answered the PHQ-9 on the phone."""
    flow = services.care_flows.queue_start(
        patient_id, "phq-9-depression-screening", physician=None, baseline={}, actor=window.principal.actor
    )
    window.sync_now()
    started = lambda: next(f for f in services.care_flows.for_patient(patient_id) if f.id == flow.id)  # noqa: E731
    wait_for(lambda: started().static_link_url is not None)
    answer_phq9_on_the_phone(started().static_link_url)
    window.sync_now()
    window.show_work_list()
    wait_for(lambda: window.work_list.model.rowCount() >= 2)
    window.work_list.table.selectRow(1)
    window.open_work_item(window.work_list.selected())
    wait_for(lambda: any(r.kind == "answer" for r in window.detail.timeline.model._rows))
    shoot(window, "07-work-list")
    shoot(window.detail, "08-timeline")


if __name__ == "__main__":
    sys.exit(main())
