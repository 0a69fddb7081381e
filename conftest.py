"""Shared pytest set-up: Qt runs offscreen and every test gets its own profile folder."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")

import pytest

# memory_keyring: a real keyring backend in memory, for any test that pairs a workstation.
pytest_plugins = ["careapp.backend.tests.memory_keyring"]


@pytest.fixture(autouse=True)
def _isolated_profile(tmp_path, monkeypatch):
    """No test ever touches the real user data folder."""
    from careapp import paths

    profile = tmp_path / "profile"
    monkeypatch.setenv("CAREAPP_PROFILE", str(profile))
    paths.use_profile(None)
    yield profile
    paths.use_profile(None)
