"""One clear line for a link that could not be fetched (shown as it is in the dialogs)."""

from __future__ import annotations

from careapp.backend.errors import (
    BackendError,
    BackendTimeout,
    NotPaired,
    Offline,
    Rejected,
    ServerError,
    Unauthorized,
)
from careapp.links.remote import NotSentYet
from careapp.storage.errors import StorageError

OFFLINE = "The backend cannot be reached; the static link still works if it was synced."


def describe_failure(error: BaseException) -> str:
    if isinstance(error, LookupError | NotSentYet):
        return str(error)
    if isinstance(error, NotPaired):
        return "This workstation is not paired with the backend yet; ask an admin to pair it."
    if isinstance(error, Offline | BackendTimeout):
        return OFFLINE
    if isinstance(error, Unauthorized):
        return "The backend refused this workstation's credential; ask an admin to pair it again."
    if isinstance(error, Rejected):
        if error.slug == "needs-baseline":
            return (
                "Patients cannot start this care flow themselves: it needs baseline values from a clinician."
            )
        if error.slug == "no-live-link":
            return "This care flow's link was revoked; an admin can issue a new one."
        if error.status == 404 or error.slug == "unknown-care-flow":
            return "The backend does not know this care flow (yet); try again after the next sync."
        if error.slug in ("unknown-acting-user", "inactive-acting-user", "acting-user-required"):
            return "Your account is not active on the backend yet; try again after the next sync."
        return f"The backend refused the request ({error})."
    if isinstance(error, ServerError):
        return "The backend had a problem; try again in a moment."
    if isinstance(error, BackendError | StorageError):
        return str(error)
    return "Something went wrong; the link was not shown."
