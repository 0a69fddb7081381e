"""One HTTP delivery attempt (a webhook, an SMS to the gateway): streamed, under a total deadline,
and answered as an Attempt naming the kind of failure only (never a URL or a response body)."""

from __future__ import annotations

from datetime import timedelta

import httpx

from careapp.server.delivery import deadline
from careapp.server.delivery.dispatcher import Attempt


def attempt(
    client: httpx.Client, method: str, url: str, *, content: bytes, headers: dict[str, str], within: timedelta
) -> Attempt:
    """Send one request; a 2xx succeeds, anything else fails with its status. Never raises."""
    try:
        # Streamed and closed unread: only the status and Retry-After matter, and a huge or
        # endless response body must not hold the dispatcher.
        with (
            deadline.attempt_deadline(within.total_seconds()),
            client.stream(method, url, content=content, headers=headers) as r,
        ):
            code = r.status_code
            error = None if 200 <= code < 300 else f"HTTP {code}"
            return Attempt(code, error, r.headers.get("retry-after"))
    except httpx.TimeoutException:
        return Attempt(None, "timed out")
    except httpx.ConnectError:
        return Attempt(None, "could not connect")
    except httpx.HTTPError as exc:
        return Attempt(None, f"transport error ({type(exc).__name__})")
    except Exception as exc:  # a URL httpx refuses, etc.: fail the attempt, keep dispatching
        return Attempt(None, f"error ({type(exc).__name__})")
