"""Storage failures, each with one sentence a clinician can act on."""

from __future__ import annotations


class StorageError(Exception):
    """The change was not saved; nothing half-written remains."""


class CacheUnusable(StorageError):
    """The cache file cannot be opened (damaged, or from a newer schema); it was not touched."""


class DuplicateIdentifier(StorageError):
    """Two patients would share one identifier."""


def describe_write_failure(exc: Exception) -> str:
    message = str(getattr(exc, "orig", exc)).lower()
    if "full" in message:
        return "The disk is full, so nothing was saved. Free some space and try again."
    if "readonly" in message or "read-only" in message:
        return "The local cache is read-only, so nothing was saved. Ask IT to check the data folder."
    if "locked" in message or "busy" in message:
        return "The local cache is busy. Nothing was saved; try again in a moment."
    return f"The local cache could not be written; nothing was saved ({message})."
