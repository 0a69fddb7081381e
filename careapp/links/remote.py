"""The hosted pages links of care flows, fetched from the backend for one acting user.

Blocking (network): the UI runs these off the GUI thread. Each call opens its own client,
since a BackendClient is not thread-safe and these run on a thread pool.
"""

from __future__ import annotations

from collections.abc import Callable

from careapp.backend import hosted_pages
from careapp.backend.client import BackendClient
from careapp.backend.hosted_pages import HostedSession
from careapp.storage.care_flows import CareFlowSummary


class NotSentYet(Exception):
    """The care flow is still queued locally: the backend has no link for it yet."""

    def __init__(self) -> None:
        super().__init__(
            "This care flow has not reached the backend yet; its link appears after the next sync."
        )


class HostedLinks:
    def __init__(self, client_factory: Callable[[], BackendClient], acting_user: str) -> None:
        self._client_factory = client_factory
        self._acting_user = acting_user

    def new_session(self, care_flow: CareFlowSummary, language: str | None) -> HostedSession:
        remote_id = _remote_id(care_flow)
        with self._client_factory() as client:
            return hosted_pages.create_session(
                client, remote_id, acting_user=self._acting_user, language=language
            )

    def session_status(self, session_id: str) -> HostedSession:
        with self._client_factory() as client:
            return hosted_pages.session_status(client, session_id, acting_user=self._acting_user)

    def static_link(self, care_flow: CareFlowSummary) -> str:
        """The synced static link when the cache has one (works offline), else the backend's."""
        if care_flow.static_link_url:
            return care_flow.static_link_url
        remote_id = _remote_id(care_flow)
        with self._client_factory() as client:
            link = hosted_pages.static_link(client, remote_id, acting_user=self._acting_user)
        if link.url is None:
            raise LookupError("This care flow's link was revoked; an admin can issue a new one.")
        return link.url

    def enrollment_link(self, definition_id: str) -> str:
        with self._client_factory() as client:
            return hosted_pages.enrollment_link(client, definition_id, acting_user=self._acting_user)


def _remote_id(care_flow: CareFlowSummary) -> str:
    if not care_flow.remote_id:
        raise NotSentYet()
    return care_flow.remote_id
