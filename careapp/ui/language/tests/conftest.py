"""The UI's cache and account fixtures, for the main window in each language."""

from careapp.ui.tests.conftest import admin, services

__all__ = ["admin", "services"]
