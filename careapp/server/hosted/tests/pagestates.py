"""Every state a patient page can be in, as the live server renders it in one language.

Reached the way a patient reaches them (static link, session link, enrollment link, form posts
with their CSRF token, the clock moved past a session's hour), and kept as the server's exact
response so a browser can render each one again at every viewport without posting twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID

from .livesite import LiveServer
from .pagetools import hidden


@dataclass(frozen=True, slots=True)
class PageState:
    name: str
    language: str
    url: str
    status: int
    html: str
    headers: dict[str, str]


class _Patient:
    """One patient's browser in one language: cookies kept, redirects followed."""

    def __init__(self, live: LiveServer, language: str) -> None:
        self.live = live
        self.language = language
        self.client = httpx.Client(
            headers={"Accept-Language": f"{language};q=1"}, follow_redirects=True, timeout=10
        )
        self.last: httpx.Response | None = None

    def get(self, url: str) -> httpx.Response:
        self.last = self.client.get(url)
        return self.last

    def submit(self, **fields: Any) -> httpx.Response:
        """Post the page last shown, as its form would, with these fields filled in."""
        assert self.last is not None
        html = self.last.text
        data: dict[str, Any] = {"csrf": hidden(html, "csrf")}
        for name in ("action", "activity_id"):
            if f'name="{name}"' in html:
                data[name] = hidden(html, name)
        self.last = self.client.post(str(self.last.url), data=data | fields)
        return self.last

    def state(self, name: str, response: httpx.Response | None = None) -> PageState:
        shown = response or self.last
        assert shown is not None and shown.headers["content-type"].startswith("text/html"), name
        headers = {k: v for k, v in shown.headers.items() if k in ("content-type", "content-security-policy")}
        return PageState(name, self.language, str(shown.url), shown.status_code, shown.text, headers)


def _session_url(live: LiveServer, care_flow_id: str) -> str:
    return str(live.post("/v1/hosted-pages-sessions", care_flow_id=care_flow_id)["url"])


def page_states(live: LiveServer, language: str) -> Iterator[PageState]:
    """Each page state once, in LANGUAGE (the browser's Accept-Language)."""
    me = _Patient(live, language)
    mrn = f"A11Y-{language}"

    pre_op = live.care_flow(f"{mrn}-1", "pre-op-intake")
    me.get(pre_op["hosted_pages_link"])
    yield me.state("static link: a message")
    me.submit()
    yield me.state("form: every question type")
    me.submit()
    yield me.state("form: errors")

    me.get(_session_url(live, live.care_flow(f"{mrn}-2", "chronic-care-check-in")["id"]))
    yield me.state("form: a 0-100 slider as a list")
    me.get(_session_url(live, live.care_flow(f"{mrn}-3", "scales")["id"]))
    yield me.state("form: a 0-10 scale, a list, a number")
    me.submit(**{"q-mood": "55", "q-sleep": "25"})
    yield me.state("form: slider errors")
    me.get(_session_url(live, live.care_flow(f"{mrn}-4", "self-intake")["id"]))
    me.submit()
    yield me.state("form: an untranslated label")

    checklist = live.care_flow(f"{mrn}-5", "before-you-come")
    me.get(_session_url(live, checklist["id"]))
    yield me.state("checklist")
    me.submit(item="0")
    yield me.state("checklist: errors")
    me.submit(item=["0", "1"])
    yield me.state("thank you")
    yield me.state("static link: nothing to do", me.get(checklist["hosted_pages_link"]))

    revoked = live.care_flow(f"{mrn}-6", "before-you-come")
    live.api.post(f"/v1/care-flows/{revoked['id']}/hosted-pages-link/revoke")
    yield me.state("static link: revoked", me.get(revoked["hosted_pages_link"]))
    yield me.state("link: invalid", me.get(f"{live.url}/s/forged-token"))

    checked = live.care_flow(f"{mrn}-7", "checked-intake")
    me.get(checked["hosted_pages_link"])
    yield me.state("date of birth check")
    me.submit(birth_date="1999-12-31")
    yield me.state("date of birth check: error")

    me.get(_session_url(live, live.care_flow(f"{mrn}-8", "before-you-come")["id"]))
    me.client.cookies.clear()
    yield me.state("form sent from elsewhere: retry", me.submit(item=["0", "1"]))

    poster = live.api.post("/v1/care-flow-definitions/self-intake/enrollment-links").text
    me.get(poster)
    yield me.state("enrollment: registration")
    me.submit(given_name="", family_name="Janssens", birth_date="2031-01-01")
    yield me.state("enrollment: registration errors")
    bound = live.api.post(
        "/v1/care-flow-definitions/self-intake/enrollment-links",
        json={"external_id": {"system": DEMO_HOSPITAL_PATIENT_ID, "value": f"{mrn}-1"}},
    ).text
    yield me.state("enrollment: a known patient", me.get(bound))

    expiring = _session_url(live, live.care_flow(f"{mrn}-9", "before-you-come")["id"])
    live.clock.advance(minutes=61)
    yield me.state("session expired", me.get(expiring))
    me.client.close()
