"""The benchmark harness can fail, and its baselines do the same work as CareApp."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import types
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from tests.benchmarks import Figure, interleave
from tests.benchmarks import __main__ as harness


def figure(**changes: object) -> Figure:
    values: dict[str, object] = {
        "figure": "t.cost",
        "unit": "ms",
        "value": 30.0,
        "baseline": 10.0,
        "baseline_is": "bare call",
        "max_ratio": 4.0,
        "rounds": 5,
    }
    return Figure(**{**values, **changes})  # type: ignore[arg-type]


def test_a_figure_fails_over_its_ratio_budget_and_prints_the_ratio():
    assert figure().passed()
    line = figure(value=50.0).as_json()
    assert line["ok"] is False and line["ratio"] == 5.0 and line["budget"] == "ratio <= 4.0"
    assert len(line["load_average"]) == 3


def test_absolute_budgets_count_only_when_asked_but_checks_always_count():
    slow = figure(absolute={"p95 <= 15 ms": False})
    assert slow.passed() and not slow.passed(absolute=True)
    assert slow.as_json()["absolute"] == {"p95 <= 15 ms": False}
    assert not figure(checks={"none lost or doubled": False}).passed()


def test_a_figure_cannot_pass_without_a_baseline_or_decide_ok_itself():
    with pytest.raises(ValueError, match="baseline"):
        figure(baseline=0.0)
    with pytest.raises(TypeError):
        figure(ok=True)


def test_rounds_alternate_and_stop_once_the_median_ratio_is_stable():
    calls: list[str] = []

    def side(name: str, cost: float):  # type: ignore[no-untyped-def]
        return lambda: calls.append(name) or cost

    rounds = interleave(side("careapp", 2.0), side("bare", 1.0), min_rounds=4, max_rounds=50)
    assert calls[:8] == ["careapp", "bare", "bare", "careapp"] * 2
    assert len(rounds.careapp) == 4 and rounds.value / rounds.base == 2.0
    noise = iter([1.0, 3.0] * 50)
    noisy = interleave(lambda: next(noise), lambda: 1.0, min_rounds=4, max_rounds=12)
    assert len(noisy.careapp) == 12


def test_a_figure_of_too_few_rounds_prints_strict_json():
    rounds = interleave(lambda: 2.0, lambda: 1.0, min_rounds=2, max_rounds=2)
    assert rounds.detail()["ratio_spread"] is None
    json.dumps(figure(detail=rounds.detail()).as_json(), allow_nan=False)  # no Infinity or NaN


@pytest.fixture
def fake_modules(monkeypatch):
    def broken():  # type: ignore[no-untyped-def]
        raise RuntimeError("simulator did not start")
        yield

    def empty():  # type: ignore[no-untyped-def]
        return iter(())

    for name, run in (("broken", broken), ("empty", empty), ("fine", lambda: iter([figure()]))):
        module = types.ModuleType(f"tests.benchmarks.{name}")
        module.run = run  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setattr(harness, "FIGURES", {"fine": "", "gone": "", "broken": "", "empty": ""}, raising=True)


def test_a_missing_broken_or_empty_figure_module_fails_the_run(fake_modules, capsys):
    assert harness.main(["fine"]) == 0
    assert harness.main([]) == 1
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    failed = {line["figure"]: line.get("error") for line in lines[1:] if not line["ok"]}
    assert failed == {
        "gone": "figure module missing",
        "broken": "RuntimeError: simulator did not start",
        "empty": "no figure measured",
    }


def test_the_documented_command_prints_the_qr_figure_against_the_bare_qrcode_call(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "tests.benchmarks", "links"],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=Path(__file__).parents[1],
    )
    [line] = [json.loads(x) for x in out.stdout.splitlines()]
    assert line["figure"] == "links.qr_image" and "qrcode.make" in line["baseline_is"]
    assert line["ratio"] == pytest.approx(line["value"] / line["baseline"], rel=1e-2)
    assert out.returncode == (0 if line["ok"] else 1)


def test_the_qr_baseline_makes_the_same_code(tmp_path):
    from careapp.links.qr import qr_png
    from tests.benchmarks.links import bare_qr_png

    url = "https://eu.careapp.example/s/abc123"
    for png in (qr_png(url), bare_qr_png(url)):
        (tmp_path / "qr.png").write_bytes(png)
        [code] = zxingcpp.read_barcodes(Image.open(tmp_path / "qr.png"))
        assert code.text == url and code.ec_level == "M"


def test_the_raw_siu_script_does_the_same_work_as_the_pull(tmp_path):
    from careapp.hospital_sim.patients import generate
    from careapp.hospital_sim.siu import write_siu_files
    from careapp.integrations.config import HospitalConfig
    from careapp.integrations.siu_pull import pull_siu
    from careapp.storage.appointments import AppointmentRepository
    from careapp.storage.database import open_cache
    from tests.benchmarks.hospital import CARE_FLOWS, simulator
    from tests.benchmarks.raw_hospital import RawCache, RawHospital, raw_siu_pull

    patients = generate(40, 3)  # includes the simulator's duplicate registration of one person
    write_siu_files(tmp_path / "ours", patients, 120, seed=5)
    write_siu_files(tmp_path / "raw", patients, 120, seed=5)
    with simulator(40) as (host, port):
        config = HospitalConfig(hl7_host=host, hl7_port=port, siu_care_flow_map=CARE_FLOWS)
        db = open_cache(tmp_path / "cache.sqlite3")
        ours = pull_siu(tmp_path / "ours", config, AppointmentRepository(db), actor="t", min_age=0)
        db.close()
        cache, hospital = RawCache(tmp_path / "raw.sqlite3"), RawHospital(host, port)
        raw = raw_siu_pull(tmp_path / "raw", cache, hospital, CARE_FLOWS)
        hospital.close()
    patients_saved = cache.db.execute("SELECT count(*) FROM patients").fetchone()[0]
    cache.close()
    assert raw == {
        "processed": ours.processed,
        "failed": ours.failed,  # the duplicate registration's appointments after the first
        "patients_created": ours.patients_created,
        "care_flows_queued": ours.care_flows_queued,
        "hospital_queries": ours.hospital_queries,
    }
    assert ours.processed + ours.failed == 120 and patients_saved == ours.patients_created
    assert len(list((tmp_path / "raw" / "processed").iterdir())) == ours.processed


def test_the_startup_probe_waits_for_a_usable_login_and_a_painted_bare_window(tmp_path):
    from tests.benchmarks.startup import BARE, CAREAPP, time_to_ready, workstation

    env, cache = workstation(tmp_path / "workstation", 300)
    assert cache.exists()
    assert time_to_ready(BARE, env) > 0
    assert time_to_ready(CAREAPP, env) > 0


def test_the_raw_fts5_baseline_finds_the_same_patients_for_every_query_kind(tmp_path):
    from tests.benchmarks.search import build_cache, query_mix, raw_search

    repo = build_cache(tmp_path / "cache.sqlite3", 3_000)
    raw = raw_search(tmp_path / "cache.sqlite3")
    for kind, queries in query_mix(3_000).items():
        for query in queries[:5]:
            assert {p.id for p in repo.search(query)} == {row[0] for row in raw(query)}, (kind, query)
    repo._db.close()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("module", "sizes"),
    [("push", {"CHANGES": 40, "SAMPLE": 10}), ("pull", {"PATIENTS": 60, "IN_CARE_FLOW": 6})],
)
def test_the_sync_figures_run_end_to_end_at_a_small_size(module, sizes, monkeypatch):
    """Figure modules are run by `python -m tests.benchmarks` only: run them small here too, so a
    change to what they call breaks a test, not the benchmark run (push and pull once did)."""
    figures = importlib.import_module(f"tests.benchmarks.{module}")
    for name, value in sizes.items():
        monkeypatch.setattr(figures, name, value)
    measured = list(figures.run())
    assert measured and all(isinstance(f, Figure) for f in measured)
    for line in (f.as_json() for f in measured):
        assert line["baseline"] > 0 and line["value"] > 0, line
        assert all(line.get("checks", {}).values()), line  # correctness counts at any size
