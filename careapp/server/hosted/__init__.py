"""Hosted pages: what the patient sees after scanning the QR code (links, sessions, enrollment)."""
