"""The admin view's merge of each backend's promotion status."""

from __future__ import annotations

from careapp.backend.promotions import overview


def _item(definition_id: str, live: int | None, *, out_changed: bool = False, in_changed: bool = False):
    peer = {"region": "eu", "environment": "production"}
    return {
        "definition_id": definition_id,
        "title": {"en": definition_id.title(), "nl": "x"},
        "live_version": live,
        "last_promoted_out": {"changed_since": out_changed, "peer": peer} if out_changed else None,
        "last_promoted_in": {"changed_since": in_changed} if in_changed else None,
    }


def test_side_by_side_with_warnings_and_unreachable_backends() -> None:
    rows = overview({
        "EU Sandbox": {"items": [_item("knee", 3, out_changed=True), _item("diabetes", None)]},
        "EU Production": {"items": [_item("knee", 2, in_changed=True)]},
        "UK Production": "The backend cannot be reached",
    })  # fmt: skip
    by_id = {r.definition_id: r for r in rows}
    assert [r.title for r in rows] == ["Diabetes", "Knee"]
    assert by_id["knee"].where == {
        "EU Sandbox": "v3 live", "EU Production": "v2 live", "UK Production": "The backend cannot be reached",
    }  # fmt: skip
    assert by_id["diabetes"].where["EU Sandbox"] == "not published"
    assert by_id["diabetes"].where["EU Production"] == "absent"
    assert by_id["knee"].warnings == [
        "EU Sandbox: changed since its promotion to EU Production",
        "EU Production: edited since it arrived; the next promotion overwrites it",
    ]
    assert by_id["diabetes"].warnings == []
