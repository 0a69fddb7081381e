"""Errors shared by every headless command (kept apart from cli.py so lower layers can raise them)."""


class CommandError(Exception):
    """One clear line for the user; the command exits 2."""
