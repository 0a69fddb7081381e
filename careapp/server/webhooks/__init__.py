"""Webhooks in the Standard Webhooks format: endpoints, an outbox written with each change, and a
dispatcher that signs, delivers and retries (https://www.standardwebhooks.com/)."""

from careapp.server.webhooks.dispatcher import WebhookDispatcher, enabled_from_env, lifespan
from careapp.server.webhooks.outbox import WEBHOOK_EVENTS, install

__all__ = ["WEBHOOK_EVENTS", "WebhookDispatcher", "enabled_from_env", "install", "lifespan"]
