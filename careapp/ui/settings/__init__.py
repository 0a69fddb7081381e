"""The workstation settings dialog (admins only): backends, hospital connection, workstation.

``careapp.ui.settings_dialog.SettingsDialog`` is the entry point; each tab is a page module here.
"""
