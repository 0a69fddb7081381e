"""Drive the patient pages over HTTP the way a browser without JavaScript does."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no hidden field {name!r} in the page"
    return match.group(1)


def post_page(client: TestClient, path: str, page: Response, **fields: Any) -> Response:
    """Post the page's form with its CSRF token (and activity id, when there is one)."""
    data: dict[str, Any] = {"csrf": hidden(page.text, "csrf")}
    if 'name="action" value="activity"' in page.text:
        data |= {"action": "activity", "activity_id": hidden(page.text, "activity_id")}
    data |= fields
    return client.post(path, data=data, headers={"Authorization": ""})


def read_message(client: TestClient, path: str) -> Response:
    page = client.get(path)
    assert page.status_code == 200 and "I have read this" in page.text, page.text[:500]
    done = post_page(client, path, page)
    assert done.status_code == 303, done.text[:500]
    return done
