"""A real cache in the test's profile folder, and an admin made through the service."""

from __future__ import annotations

import pytest

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
