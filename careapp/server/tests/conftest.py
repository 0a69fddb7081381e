"""Fixtures: a migrated database (SQLite file, or PostgreSQL when CAREAPP_TEST_PG_URL is set)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.exc import SQLAlchemyError

from careapp.server.app import build_services, create_app
from careapp.server.config import ServerConfig
from careapp.server.context import Services
from careapp.server.db import resolve_url
from careapp.server.schema import prepare
from careapp.server.tests.harness import cli, make_api_key

PG_URL = os.environ.get("CAREAPP_TEST_PG_URL")
KEY_B64 = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="  # fixed test key for PostgreSQL runs


def _fresh_pg_database() -> str:
    """A new database on the test server so tests never see each other's rows."""
    assert PG_URL
    admin = create_engine(resolve_url(PG_URL), isolation_level="AUTOCOMMIT")
    name = f"careapp_t_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return resolve_url(PG_URL).set(database=name).render_as_string(hide_password=False)


def _drop_pg_database(url: str) -> None:
    assert PG_URL
    admin = create_engine(resolve_url(PG_URL), isolation_level="AUTOCOMMIT")
    name = resolve_url(url).database
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    except SQLAlchemyError:
        # A backend we may not terminate (e.g. autovacuum) still holds it: leave it behind.
        pass
    finally:
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'server.sqlite3'}"
        return
    if not PG_URL:
        pytest.skip("set CAREAPP_TEST_PG_URL to run against PostgreSQL")
    monkeypatch.setenv("CAREAPP_SERVER_SECRET_KEY", KEY_B64)
    url = _fresh_pg_database()
    try:
        yield url
    finally:
        _drop_pg_database(url)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'server.sqlite3'}"


@pytest.fixture
def services(db_url: str) -> Iterator[Services]:
    services = build_services(ServerConfig(db_url=db_url))
    prepare(services.db, services.config, services.clock)
    yield services
    services.db.dispose()


@pytest.fixture
def admin_key(services: Services) -> str:
    return make_api_key(services.config.db_url, "admin")


@pytest.fixture
def seeded(services: Services) -> Services:
    cli("seed-demo", "--db", services.config.db_url)
    return services


@pytest.fixture
def client(services: Services, admin_key: str) -> Iterator[TestClient]:
    """httpx (Starlette's TestClient) over the ASGI app, backed by the real database; admin key."""
    with TestClient(create_app(services=services), headers={"Authorization": f"Bearer {admin_key}"}) as c:
        yield c
