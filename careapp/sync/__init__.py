"""Outbox push and change-feed pull."""
