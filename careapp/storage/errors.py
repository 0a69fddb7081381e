"""Storage failures, each with one sentence a clinician can act on."""

from __future__ import annotations

from careapp.domain.identifiers import NotOnePatient


class StorageError(Exception):
    """The change was not saved; nothing half-written remains."""


class CacheUnusable(StorageError):
    """The cache file cannot be opened (damaged, or from a newer schema); it was not touched."""


class DuplicateIdentifier(StorageError):
    """Two patients would share one identifier."""

    @classmethod
    def taken(cls) -> DuplicateIdentifier:
        """Another writer took an identifier between our read and our write."""
        return cls("An identifier of this patient is already in use; nothing was saved.")


class IdentifierConflict(DuplicateIdentifier):
    """A hospital record that shares an identifier with a cached patient but is not that patient
    by the one-per-patient systems: merging would put two people in one record."""

    @classmethod
    def of(cls, clash: NotOnePatient) -> IdentifierConflict:
        return cls(clash.sentence("in the cache"))


def _first_cause(exc: BaseException) -> str:
    """The message of the failure that started it all.

    After SQLITE_FULL or an I/O error SQLite may have rolled the whole transaction back itself,
    so undoing a savepoint then fails with "no such savepoint", hiding the real reason."""
    first = exc
    while first.__context__ is not None and "savepoint" in str(first).lower():
        first = first.__context__
    return str(getattr(first, "orig", first)).lower()


def describe_write_failure(exc: Exception) -> str:
    message = _first_cause(exc)
    if "full" in message:
        return "The disk is full, so nothing was saved. Free some space and try again."
    if "readonly" in message or "read-only" in message:
        return "The local cache is read-only, so nothing was saved. Ask IT to check the data folder."
    if "locked" in message or "busy" in message:
        return "The local cache is busy. Nothing was saved; try again in a moment."
    return f"The local cache could not be written; nothing was saved ({message})."
