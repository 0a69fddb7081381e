"""UI fixtures: a real cache in the test's profile folder, accounts made through the service."""

from __future__ import annotations

import pytest

from careapp.auth.roles import Role
from careapp.settings import Settings
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
