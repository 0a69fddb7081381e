"""PySide6 lives only here: windows, dialogs, table models, background operations."""
