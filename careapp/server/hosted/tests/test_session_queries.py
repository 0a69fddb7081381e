"""The hot queries of hosted pages sessions stay index look-ups of one care flow's activities.

Counting a care flow's pending activities used SQLite's status index alone, i.e. every open
activity of the deployment: session creation slowed down as the server filled up (11 ms of
server CPU a session after 8,000 care flow starts, 2.6 ms on an empty server)."""

from __future__ import annotations

from pathlib import Path

from careapp.server.app import build_services
from careapp.server.config import ServerConfig
from careapp.server.hosted import sessions
from careapp.server.schema import prepare

INDEX = "ix_activities_flow_status_stakeholder"


def _plan(tmp_path: Path, statement: object, params: dict[str, str]) -> str:
    services = build_services(ServerConfig(db_url=f"sqlite:///{tmp_path / 'server.sqlite3'}"))
    prepare(services.db, services.config, services.clock)
    try:
        with services.db.engine.connect() as conn:
            compiled = statement.compile(conn)  # type: ignore[attr-defined]  # the event hands a ClauseElement, typed as Executable
            sql, values = str(compiled), compiled.construct_params(params)
            positional = tuple(values[k] for k in compiled.positiontup or ())
            rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", positional)
            return "\n".join(str(row[-1]) for row in rows)
    finally:
        services.db.dispose()


def test_a_new_session_counts_pending_activities_of_its_care_flow_only(tmp_path: Path) -> None:
    plan = _plan(
        tmp_path, sessions._FLOW_WITH_PENDING.statement, {"care_flow_id": "f", "stakeholder": "patient"}
    )
    assert INDEX in plan and "care_flow_id=? AND status=? AND stakeholder=?" in plan, plan
    assert "ix_activities_status" not in plan and "SCAN" not in plan, plan


def test_a_session_refresh_counts_pending_activities_of_its_care_flow_only(tmp_path: Path) -> None:
    plan = _plan(tmp_path, sessions._PENDING_COUNT, {"care_flow_id": "f", "stakeholder": "patient"})
    assert INDEX in plan and "ix_activities_status" not in plan, plan
