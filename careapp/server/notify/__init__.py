"""Reaching the patient: hosted pages links by e-mail (SMTP) and SMS (an HTTP gateway).

channels.py: the deployment's channels, secrets sealed; outbox.py: rows queued with the event
(an activity opening, its reminders, a clinician's request); messages.py: what is sent, in the
patient's language; senders.py: SMTP and the gateway; dispatcher.py: delivery with
careapp.server.delivery's leases and backoff; api.py: set-up, sending, delivery log, opt-outs.
"""

from careapp.server.context import Services
from careapp.server.notify import outbox


def install(services: Services) -> None:
    """Queue notifications in the transaction of each activity.created event."""
    outbox.install(services)
