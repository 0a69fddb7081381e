"""What became of a message a care flow sent, in one wording wherever it shows: a result the
hospital refused (ORU^R01 or FHIR, on the care flow view) and an e-mail or SMS to the patient
that failed for good (on the timeline). Channel and reason only: never an address."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

HOSPITAL = "hospital"  # results sent to the hospital; else a notification channel: email | sms


def not_delivered(channel: str, reason: str | None, code: str | None = None) -> str:
    """ "Refused by the hospital (AE): Unknown encounter", "E-mail not delivered: SMTP reply 550"."""
    why = reason or QCoreApplication.translate("Deliveries", "no reason given")
    if channel == HOSPITAL:
        text = QCoreApplication.translate("Deliveries", "Refused by the hospital ({code}): {reason}")
        return text.format(code=code or "?", reason=why)
    if channel == "sms":
        return QCoreApplication.translate("Deliveries", "SMS not delivered: {reason}").format(reason=why)
    if channel == "email":
        return QCoreApplication.translate("Deliveries", "E-mail not delivered: {reason}").format(reason=why)
    return QCoreApplication.translate("Deliveries", "{channel} not delivered: {reason}").format(
        channel=channel, reason=why
    )


def message_kind(kind: str) -> str:
    """Which message it was: the announcement of new work, a reminder, or the care team's own."""
    words = {
        "announcement": QCoreApplication.translate("Deliveries", "announcement of new work"),
        "reminder": QCoreApplication.translate("Deliveries", "reminder"),
        "clinician": QCoreApplication.translate("Deliveries", "sent by the care team"),
    }
    return words.get(kind, kind)
