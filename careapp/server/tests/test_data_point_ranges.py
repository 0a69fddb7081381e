"""Data point ranges: declared in the definition, checked at import, enforced on every start."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from careapp.domain.careflow import InvalidDefinition, parse_definition, to_document
from careapp.domain.durations import InvalidDuration, parse_duration
from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID
from careapp.domain.value_ranges import ValueRange
from careapp.server.context import Services


def _definition(*points: dict) -> dict:
    return {
        "format": "careapp.careflow/1",
        "title": "Ranges",
        "data_points": list(points),
        "steps": [{"id": "s", "activities": []}],
    }


def test_ranges_round_trip_and_bad_ones_get_one_line_each() -> None:
    doc = parse_definition(
        _definition(
            {"key": "weight", "value_type": "number", "range": {"min": 20, "max": 350}},
            {"key": "seen", "value_type": "date", "range": {"past": "P1Y", "future": "P0D"}},
        )
    )
    assert to_document(doc)["data_points"][0]["range"] == {"min": 20, "max": 350}
    assert parse_definition(to_document(doc)) == doc
    with pytest.raises(InvalidDefinition) as caught:
        parse_definition(
            _definition(
                {"key": "a", "value_type": "number", "range": {"min": 5, "max": 1}},
                {"key": "b", "value_type": "date", "range": {"past": "1 year", "after": "P1D"}},
                {"key": "c", "value_type": "string", "range": {"min": 1}},
                {"key": "d", "value_type": "date", "range": {"future": "PT4H"}},
            )
        )
    assert [(p.path, p.message.split(" (")[0]) for p in caught.value.problems] == [
        ("$.data_points[0].range.max", "must not be below min"),
        ("$.data_points[1].range.after", "is not a range bound of a date"),
        ("$.data_points[1].range.past", "'1 year' is not an ISO 8601 duration such as P2D, PT4H or P1Y2M"),
        ("$.data_points[2].range", "only number and date data points have a range"),
        ("$.data_points[3].range.future", "must count whole days, weeks, months or years"),
    ]


def test_date_bounds_count_calendar_units_from_today() -> None:
    bounds = ValueRange(past="P1M", future="P2W", latest=date(2026, 3, 10))
    assert bounds.date_bounds(date(2026, 3, 31)) == (date(2026, 2, 28), date(2026, 3, 10))
    assert bounds.problem("2026-02-27", date(2026, 3, 31)) == "must be from 2026-02-28 to 2026-03-10"
    assert bounds.problem("2026-02-27", date(2026, 3, 31), grace=timedelta(days=1)) is None
    assert ValueRange(minimum=20).problem(-5, date(2026, 1, 1)) == "must be at least 20"
    assert parse_duration("P1Y2M3W4DT5H6M7S").seconds == 5 * 3600 + 6 * 60 + 7
    for text in ("P", "PT", "P1H", "2D", "P1.5D", ""):
        with pytest.raises(InvalidDuration):
            parse_duration(text)


def _patient(client: TestClient) -> str:
    body = {
        "family_name": "Peeters",
        "given_name": "Lotte",
        "identifiers": [{"system": DEMO_HOSPITAL_PATIENT_ID, "value": "R-1"}],
    }
    return str(client.post("/v1/patients", json=body).json()["id"])


@pytest.mark.parametrize(
    ("definition", "baseline", "accepted"),
    [
        ("chronic-care-check-in", {"dry_weight_kg": -5}, False),
        ("chronic-care-check-in", {"dry_weight_kg": 1e6}, False),
        ("chronic-care-check-in", {"dry_weight_kg": 71.5}, True),
        ("post-discharge-follow-up", {"discharge_date": "1850-01-01"}, False),
        ("post-discharge-follow-up", {"discharge_date": "2999-01-01"}, False),
        ("post-discharge-follow-up", {"discharge_date": date.today().isoformat()}, True),
    ],
)
def test_the_server_refuses_baseline_values_outside_their_range(
    client: TestClient, seeded: Services, definition: str, baseline: dict, accepted: bool
) -> None:
    body = {"patient_id": _patient(client), "definition_id": definition, "baseline": baseline}
    started = client.post("/v1/care-flows", json=body)
    if accepted:
        assert started.status_code == 201, started.text
        return
    assert started.status_code == 422
    problem = started.json()
    assert problem["type"] == "urn:careapp:problem:data-point-out-of-range"
    assert problem["detail"].startswith(f"data point {next(iter(baseline))!r} must be from ")
    # The range travels with the published list, so the desktop checks the same bounds offline.
    [summary] = [d for d in client.get("/v1/care-flow-definitions").json()["items"] if d["id"] == definition]
    assert summary["baseline"][0]["range"]
