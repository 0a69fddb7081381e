"""UI fixtures: a real cache in the test's profile folder, accounts made through the service."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from careapp.auth.roles import Role
from careapp.settings import Settings
from careapp.ui.connection import Connection
from careapp.ui.services import Services


@pytest.fixture
def services():
    opened = Services.open(Settings())
    yield opened
    opened.close()


@pytest.fixture
def admin(services):
    return services.accounts.create_first_admin("admin", "Ward Admin", "correct horse")


@pytest.fixture
def clinician(services, admin):
    services.accounts.create_user(admin, "nurse", "Nurse Jo", Role.CLINICIAN, "nurse password")
    return services.accounts.login("nurse", "nurse password")


class WardClock:
    """The workstation's clock, moved by the test (the session countdown runs on it)."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 21, 9, 0)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def demo_ward(qtbot, memory_keyring) -> Iterator[tuple[Services, Connection]]:
    services = Services.open(Settings(), clock=WardClock())
    connection = Connection(services)
    connection.start()
    try:
        qtbot.waitUntil(lambda: connection.engine is not None, timeout=90_000)
        yield services, connection
    finally:
        connection.stop()
        services.close()
