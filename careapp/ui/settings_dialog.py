"""Kept for callers that import ``careapp.ui.settings_dialog.SettingsDialog`` (the main window)."""

from careapp.ui.settings.dialog import SettingsDialog

__all__ = ["SettingsDialog"]
