"""The UI fixtures: a real cache in the test profile, accounts made through the service."""

from careapp.ui.tests.conftest import admin, clinician, services  # noqa: F401 - fixtures
