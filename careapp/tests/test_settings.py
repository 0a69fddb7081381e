"""The settings file: defaults, round trip, older and newer files, and the backend rules."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from careapp import settings as store
from careapp.integrations.config import HospitalConfig, demo_identifier_rules
from careapp.settings import BackendProfile, HospitalEndpoints, IdentifierRule, Settings


def test_fresh_profile_gets_the_demo_and_its_hospital(tmp_path: Path) -> None:
    loaded = store.load(tmp_path / "missing.json")
    assert loaded == Settings() and loaded.backend.is_demo
    config = HospitalConfig.from_endpoints(loaded.hospital)
    assert config.identifier_rules == demo_identifier_rules()
    assert (config.hl7_version, config.hl7_encoding, config.attempts) == ("2.5", "UNICODE UTF-8", 2)


def test_every_hospital_field_round_trips_into_the_import_config(tmp_path: Path) -> None:
    hospital = HospitalEndpoints(
        hl7_host="his.example.org", hl7_port=6661, pdqm_url="https://pdqm.example.org/fhir",
        default_source="pdqm", siu_dir="/srv/siu", patient_id_system="urn:oid:1.2.3",
        visit_number_system="urn:oid:1.2.4", timeout_seconds=7.5, siu_care_flow_map={"CARD": "cf-1"},
        sending_application="CA", sending_facility="W3", receiving_application="ENG",
        receiving_facility="STM", hl7_version="2.3", hl7_encoding="8859/1", query_authority="STM",
        identifier_rules=(IdentifierRule("STM", "MR", "urn:oid:1.2.3"),), attempts=3,
    )  # fmt: skip
    path = tmp_path / "settings.json"
    store.save(Settings(hospital=hospital), path)
    on_disk = json.loads(path.read_text(encoding="utf-8"))["hospital"]
    assert on_disk["identifier_rules"] == [{"authority": "STM", "type_code": "MR", "system": "urn:oid:1.2.3"}]
    loaded = store.load(path).hospital
    assert loaded == hospital
    config = HospitalConfig.from_endpoints(loaded)
    for name in HospitalEndpoints.__dataclass_fields__:
        if name not in ("extra", "identifier_rules"):
            assert getattr(config, name) == getattr(hospital, name), name
    rules = [(r.authority, r.type_code, r.system) for r in config.identifier_rules]
    assert rules == [("STM", "MR", "urn:oid:1.2.3")]


def test_one_definition_serves_the_file_and_the_imports() -> None:
    # HospitalConfig is the settings' class with behaviour only: a field added to the settings
    # reaches the imports, and the settings page, without a second list kept equal by hand.
    from dataclasses import fields

    assert issubclass(HospitalConfig, HospitalEndpoints)
    assert [f.name for f in fields(HospitalConfig)] == [f.name for f in fields(HospitalEndpoints)]
    assert (
        HospitalConfig().identifier_rules == HospitalEndpoints().identifier_rules == demo_identifier_rules()
    )


def test_an_older_file_loads_with_defaults_and_its_own_systems(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({
        "backends": [{"url": "demo", "region": "eu", "environment": "sandbox", "label": "Local demo"}],
        "active_backend": 0, "idle_lock_minutes": 9,
        "hospital": {"hl7_host": "10.0.0.5", "hl7_port": 2575, "patient_id_system": "urn:oid:9"},
    }), encoding="utf-8")  # fmt: skip
    loaded = store.load(path)
    assert loaded.idle_lock_minutes == 9 and loaded.hospital.hl7_host == "10.0.0.5"
    assert loaded.hospital.sending_application == "CAREAPP"
    config = HospitalConfig.from_endpoints(loaded.hospital)
    assert config.system_for("DEMOHOSP", "PI") == "urn:oid:9"  # as imports derived it before


def test_unknown_keys_are_kept_on_the_next_save(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    raw = store.to_json(Settings())
    raw["future_option"] = {"a": 1}
    raw["hospital"]["hl7_tls"] = True
    raw["backends"][0]["pinned_cert"] = "sha256:abc"
    path.write_text(json.dumps(raw), encoding="utf-8")
    loaded = store.load(path)
    assert loaded == Settings()  # unknown keys change nothing this version uses
    store.save(loaded.with_changes(idle_lock_minutes=7), path)
    again = json.loads(path.read_text(encoding="utf-8"))
    assert again["future_option"] == {"a": 1} and again["hospital"]["hl7_tls"] is True
    assert again["backends"][0]["pinned_cert"] == "sha256:abc" and again["idle_lock_minutes"] == 7


@pytest.mark.parametrize(
    "raw",
    ["[1, 2]", '{"hospital": {"hl7_port": "many"}}', '{"backends": [{"allow_test_patients": "yes"}]}',
     '{"hospital": {"identifier_rules": [{"authority": "X"}]}}', "{not json"],
)  # fmt: skip
def test_a_broken_file_is_one_clear_error(tmp_path: Path, raw: str) -> None:
    path = tmp_path / "settings.json"
    path.write_text(raw, encoding="utf-8")
    with pytest.raises(store.SettingsError) as info:
        store.load(path)
    assert "\n" not in str(info.value) and str(path) in str(info.value)


def test_out_of_range_numbers_are_clamped(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text('{"active_backend": 5, "idle_lock_minutes": 0}', encoding="utf-8")
    loaded = store.load(path)
    assert (loaded.active_backend, loaded.idle_lock_minutes) == (0, 1)


@pytest.mark.parametrize(
    ("profile", "message"),
    [
        (BackendProfile(environment="production"), "never Production"),
        (BackendProfile(url="http://eu.example.org", label="EU"), "https://"),
        (BackendProfile(url="ftp://eu.example.org", label="EU"), "not a valid"),
        (BackendProfile(url="https://eu.example.org", label=" "), "name"),
        (BackendProfile(url="https://eu.example.org", region="xx", label="EU"), "region"),
    ],
)
def test_backend_rules(profile: BackendProfile, message: str) -> None:
    with pytest.raises(store.SettingsError, match=message):
        store.check_backend(profile)


@pytest.mark.parametrize(
    "url", ["https://eu.example.org", "http://127.0.0.1:8750", "http://localhost:8750", "http://[::1]:8750"]
)
def test_https_or_loopback_backends_pass(url: str) -> None:
    store.check_backend(BackendProfile(url=url, environment="production", label="x"))


def test_the_same_backend_twice_is_refused() -> None:
    eu = BackendProfile(url="https://eu.example.org", label="EU")
    with pytest.raises(store.SettingsError, match="twice"):
        store.check_backends((eu, replace(eu, label="again")), 0)
    with pytest.raises(store.SettingsError, match="at least one"):
        store.check_backends((), 0)
