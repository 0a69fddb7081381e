"""A requests Session for one regional backend: explicit timeouts, retries on safe calls only,
typed errors (careapp.backend.errors).

Safe to retry: GET and PUT, and POSTs that carry an Idempotency-Key (the backend answers a replay
with the first response). A POST without a key is never retried: it might have been applied.

Nothing here logs a body, a credential or a query string; patient identifiers travel in bodies.
Not thread-safe: give each worker thread its own client (requests Sessions are not either).
"""

from __future__ import annotations

import json
import logging
import random
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import requests

from careapp import __version__
from careapp.backend.errors import (
    BackendError,
    BackendTimeout,
    Gone,
    Offline,
    Rejected,
    ServerError,
    Unauthorized,
)

log = logging.getLogger(__name__)

# (connect, read) seconds: a dead host fails fast; a batch of queued changes may take a while.
DEFAULT_TIMEOUT: tuple[float, float] = (3.05, 30.0)
SAFE_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a safe call is tried again within one call."""

    attempts: int = 3  # tries in all, the first included
    backoff: float = 0.25  # seconds before the second try; doubles after each
    max_delay: float = 4.0

    def delay(self, attempt: int, rng: random.Random, retry_after: float | None = None) -> float:
        if retry_after is not None:
            return min(self.max_delay, max(0.0, retry_after))
        # Full jitter: many workstations coming back online do not all knock at once.
        return rng.uniform(0.5, 1.0) * min(self.max_delay, self.backoff * 2 ** (attempt - 1))


NO_RETRY = RetryPolicy(attempts=1)


@dataclass(frozen=True)
class Pairing:
    """What pairing returned. ``credential`` is shown once: store it (credentials.py) at once."""

    workstation_id: str
    name: str
    credential: str
    region: str
    environment: str


class BackendClient:
    """Calls to one backend deployment on behalf of this workstation.

    ``acting_user`` (a provisioned username) goes in X-Acting-User: the backend needs it for
    patient data, so every action there is attributed to a person.
    """

    def __init__(
        self,
        base_url: str,
        credential: str | None = None,
        *,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        retry: RetryPolicy = RetryPolicy(),
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.retry = retry
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._session = requests.Session()
        self._session.headers.update(
            {"Accept": "application/json", "User-Agent": f"careapp-desktop/{__version__}"}
        )
        self._session.trust_env = False  # a system proxy must not see ward traffic by surprise
        if credential:
            self._session.headers["Authorization"] = f"Bearer {credential}"

    # -- plumbing -------------------------------------------------------------------------------

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> BackendClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        params: dict[str, Any] | None = None,
        acting_user: str | None = None,
        idempotency_key: str | None = None,
        timeout: tuple[float, float] | None = None,
        idempotent: bool = False,
    ) -> Any:
        """Send one call (retrying it when that is safe); return the decoded JSON body.

        IDEMPOTENT marks a POST whose replay is harmless by construction (the outbox batch,
        whose every operation carries its own key).
        """
        method = method.upper()
        headers: dict[str, str] = {}
        if acting_user:
            headers["X-Acting-User"] = acting_user
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        safe = idempotent or method in SAFE_METHODS or idempotency_key is not None
        policy = self.retry if safe else NO_RETRY
        attempt = 1
        while True:
            try:
                return self._send_once(method, path, json_body, params, headers, timeout or self.timeout)
            except BackendError as exc:
                if not exc.retryable or attempt >= policy.attempts:
                    raise
                retry_after = exc.retry_after if isinstance(exc, ServerError) else None
                delay = policy.delay(attempt, self._rng, retry_after)
                log.info(
                    "%s %s failed (%s); try %d in %.2f s",
                    method,
                    path,
                    type(exc).__name__,
                    attempt + 1,
                    delay,
                )
                self._sleep(delay)
                attempt += 1

    def _send_once(
        self,
        method: str,
        path: str,
        json_body: Any,
        params: dict[str, Any] | None,
        headers: dict[str, str],
        timeout: tuple[float, float],
    ) -> Any:
        started = time.perf_counter()
        try:
            response = self._session.request(
                method, self.base_url + path, json=json_body, params=params, headers=headers, timeout=timeout
            )
        except requests.exceptions.ConnectTimeout as exc:
            raise Offline("The backend could not be reached (connection timed out).") from exc
        except requests.exceptions.Timeout as exc:
            raise BackendTimeout("The backend did not answer in time.") from exc
        except requests.exceptions.ConnectionError as exc:
            raise Offline("The backend could not be reached.") from exc
        except requests.exceptions.RequestException as exc:
            raise Offline(f"The backend could not be reached ({type(exc).__name__}).") from exc
        log.debug(
            "%s %s -> %d in %.0f ms",
            method,
            path,
            response.status_code,
            (time.perf_counter() - started) * 1e3,
        )
        return _decode(response)

    # -- the calls CareApp makes ----------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        """Region, environment and version of the deployment (no credential needed)."""
        return self.request("GET", "/v1/health")

    def pair(
        self,
        pairing_code: str,
        *,
        name: str | None = None,
        region: str | None = None,
        environment: str | None = None,
    ) -> Pairing:
        """Exchange a one-time pairing code for this workstation's credential.

        The backend refuses when REGION/ENVIRONMENT are given and differ from its own, so a
        Production code cannot pair a Sandbox profile by mistake.
        """
        body: dict[str, Any] = {"pairing_code": pairing_code.strip()}
        if name:
            body["name"] = name
        if region:
            body["region"] = region
        if environment:
            body["environment"] = environment
        data = self.request("POST", "/v1/workstations/pair", json_body=body, idempotency_key=uuid.uuid4().hex)
        return Pairing(
            data["workstation_id"], data["name"], data["credential"], data["region"], data["environment"]
        )

    def push_batch(self, operations: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """POST /v1/batch: queued changes in order, each with its own Idempotency-Key.

        Returns one result per operation: ``{"idempotency_key", "status", "body", "replayed"}``.
        The request as a whole is safe to resend (each operation is idempotent by its key).
        """
        data = self.request("POST", "/v1/batch", json_body={"operations": operations}, idempotent=True)
        return list(data["results"])

    def changes(self, since: str, *, acting_user: str, limit: int = 500) -> dict[str, Any]:
        """One page of the change feed after SINCE; raises Gone when the cursor was pruned."""
        return self.request(
            "GET", "/v1/changes", params={"since": since, "limit": limit}, acting_user=acting_user
        )

    def care_flow_definitions(self) -> list[dict[str, Any]]:
        """The published care flow definitions clinicians enroll patients in."""
        return list(self.request("GET", "/v1/care-flow-definitions")["items"])

    def patient(self, remote_id: str, *, acting_user: str) -> dict[str, Any]:
        return self.request("GET", f"/v1/patients/{remote_id}", acting_user=acting_user)

    def patients(self, *, acting_user: str, page_size: int = 500) -> Iterator[dict[str, Any]]:
        """Every patient of the deployment (full resynchronisation)."""
        yield from self._keyset_pages("/v1/patients", acting_user, page_size)

    def care_flows(self, *, acting_user: str, page_size: int = 500) -> Iterator[dict[str, Any]]:
        """Every care flow of the deployment (full resynchronisation)."""
        yield from self._keyset_pages("/v1/care-flows", acting_user, page_size)

    def activities(self, *, acting_user: str, page_size: int = 500) -> Iterator[dict[str, Any]]:
        """Every activity of the deployment (full resynchronisation)."""
        yield from self._keyset_pages("/v1/activities", acting_user, page_size)

    def _keyset_pages(self, path: str, acting_user: str, page_size: int) -> Iterator[dict[str, Any]]:
        """All items of a list in id order, each page after the last id of the one before: an item
        changed meanwhile (a patient renamed) neither moves to a page already read nor is skipped."""
        after = ""
        while True:
            page = self.request(
                "GET", path, params={"after": after, "limit": page_size}, acting_user=acting_user
            )
            items = page["items"]
            yield from items
            if len(items) < page_size:
                return
            after = str(items[-1]["id"])


def _decode(response: requests.Response) -> Any:
    status = response.status_code
    if 200 <= status < 300:
        if status == 204 or not response.content:
            return None
        if response.headers.get("content-type", "").startswith("text/plain"):
            return response.text  # e.g. a minted enrollment link
        try:
            return response.json()
        except ValueError as exc:
            raise ServerError("The backend sent an unreadable answer.", status) from exc
    problem = _problem(response)
    slug = str(problem.get("type", "")).rsplit(":", 1)[-1]
    retry_after = _retry_after(response)
    if status == 401:
        raise Unauthorized(status, problem)
    if status == 410:
        raise Gone(status, problem)
    if status == 409 and slug == "idempotency-key-in-flight":
        raise ServerError("The backend is still working on this change.", status, retry_after)
    if status in RETRY_STATUSES or status >= 500:
        raise ServerError(f"The backend failed ({status}).", status, retry_after)
    raise Rejected(status, problem)


def _problem(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        return body
    return {"title": response.reason or "Error", "status": response.status_code}


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value and value.strip().isdigit():
        return float(value)
    return None


def problem_json(problem: dict[str, Any]) -> str:
    """A problem document as stored with a rejected change (only the documented members)."""
    keep = {k: problem[k] for k in ("type", "title", "status", "detail", "errors") if k in problem}
    return json.dumps(keep, ensure_ascii=False)
