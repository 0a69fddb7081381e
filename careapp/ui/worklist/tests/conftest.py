"""The ward fixtures of the UI tests (a real cache, the embedded demo backend)."""

from careapp.ui.tests.conftest import demo_ward  # noqa: F401 - a fixture
