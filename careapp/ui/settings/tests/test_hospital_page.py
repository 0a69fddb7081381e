"""The hospital page: the running demo hospital's ports, and the fallback character set."""

from __future__ import annotations

from pathlib import Path

from careapp import demo_hospital, paths
from careapp.settings import HospitalEndpoints
from careapp.ui.settings.hospital_page import HospitalPage


def page_for(qtbot, endpoints: HospitalEndpoints) -> HospitalPage:
    page = HospitalPage(endpoints)
    qtbot.addWidget(page)
    return page


def test_the_running_demo_hospital_ports_are_shown(qtbot, tmp_path: Path) -> None:
    assert page_for(qtbot, HospitalEndpoints()).demo_ports is None  # no demo running
    demo = demo_hospital.demo_endpoints("127.0.0.1:41234", "http://127.0.0.1:41235/fhir", tmp_path)
    demo_hospital.publish(paths.demo_dir(), demo)
    page = page_for(qtbot, HospitalEndpoints())
    label = page.demo_ports
    assert label is not None
    assert "127.0.0.1:41234" in label.text() and "http://127.0.0.1:41235/fhir" in label.text()
    assert label.accessibleName()
    # A configured hospital is what imports use: the demo's ports are not offered then.
    assert page_for(qtbot, HospitalEndpoints(hl7_host="his.example.org")).demo_ports is None


def test_an_unknown_fallback_charset_is_refused_in_one_line(qtbot) -> None:
    from careapp.settings import SettingsError

    page = page_for(qtbot, HospitalEndpoints())
    page.hl7_fallback_charset.setText("klingon")
    try:
        page.validated_endpoints()
    except SettingsError as exc:
        assert "fallback character set 'klingon'" in str(exc) and "\n" not in str(exc)
    else:
        raise AssertionError("an unknown character set was accepted")
    page.hl7_fallback_charset.setText("windows-1250")
    assert page.validated_endpoints().hl7_fallback_charset == "windows-1250"
