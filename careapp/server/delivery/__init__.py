"""Outboxes delivered to other systems: rows written with the change, claimed under a lease, sent,
retried with backoff. Webhooks and patient notifications are built on it (see dispatcher.py).
"""
