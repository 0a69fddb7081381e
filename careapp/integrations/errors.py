"""Typed hospital-import errors, each with one clear line for the clinician (never PHI)."""

from __future__ import annotations


class HospitalError(Exception):
    """Base: ``str(error)`` is the one line shown to the user or printed by the CLI."""

    #: Safe to retry the same request (the hospital may answer next time).
    transient = False

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class HospitalTimeout(HospitalError):
    transient = True

    def __init__(self, what: str, seconds: float, attempts: int = 1) -> None:
        self.seconds = seconds
        # Say what was waited: "within 5 s" after two 5 s attempts would understate it.
        waited = f"within {seconds:g} s" if attempts <= 1 else f"in {attempts} attempts of {seconds:g} s each"
        super().__init__(f"The hospital did not answer the {what} {waited}.")


class HospitalUnreachable(HospitalError):
    """Connection refused, reset or closed before a reply."""

    transient = True

    def __init__(self, endpoint: str, reason: str) -> None:
        super().__init__(f"Cannot reach the hospital at {endpoint}: {reason}.")


class HospitalRejected(HospitalError):
    """The hospital answered with a negative acknowledgement (AE/AR) or an HTTP error."""

    def __init__(self, code: str, reason: str) -> None:
        self.code = code
        self.reason = reason
        text = reason or "no reason given"
        super().__init__(f"The hospital rejected the query ({code}): {text}")


class UnknownPatient(HospitalError):
    def __init__(self, kind: str) -> None:
        super().__init__(f"The hospital does not know this {kind}.")


class MalformedReply(HospitalError):
    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__(f"The hospital sent a malformed reply: {detail}")


class WrongPatient(MalformedReply):
    """The hospital answered a search with a patient who does not carry the searched id."""

    def __init__(self) -> None:
        super().__init__("it returned a patient who does not carry the searched id; nothing was saved")


class MalformedMessage(HospitalError):
    """An inbound message (SIU file) that cannot be used; the file goes to error/."""

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__(f"Malformed HL7 message: {detail}")


class AmbiguousPatient(HospitalError):
    """Several matches where exactly one was needed (headless import, SIU pull)."""

    def __init__(self, count: int, shown: int | None = None) -> None:
        self.count = count
        if shown is not None and shown < count:
            text = f"The hospital counts {count} patients for this id but sent {shown}; ask it to check."
        else:
            text = f"The hospital returned {count} patients for this id; choose one in the app."
        super().__init__(text)


class ConfigurationError(HospitalError):
    """The hospital settings are unusable (bad endpoint, missing mapping)."""
