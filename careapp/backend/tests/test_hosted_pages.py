"""Hosted pages calls of the desktop against a real careapp-server on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from careapp.backend import Offline, Rejected
from careapp.backend.hosted_pages import (
    ACTIVE,
    COMPLETED,
    create_session,
    enrollment_link,
    page_language,
    session_status,
    static_link,
)
from careapp.backend.tests.hosted_flows import NURSE, WALK_IN, HostedWorld, open_world
from careapp.backend.tests.live import free_port


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostedWorld]:
    opened = open_world(Path(tmp_path_factory.mktemp("hosted-server")))
    yield opened
    opened.server.stop()
    assert "Traceback" not in opened.server.log()


def test_a_session_is_created_just_in_time_and_read_back(world: HostedWorld) -> None:
    flow = world.start_care_flow(language="nl")
    with world.client() as client:
        session = create_session(client, flow["id"], acting_user=NURSE, language="nl-BE")
        assert session.status == ACTIVE and session.is_active
        assert session.url and session.url.startswith("http") and "/s/" in session.url
        assert session.language == "nl"
        assert session.expires_at - session.created_at == timedelta(hours=1)
        assert session.expires_at.tzinfo is None  # naive UTC, like every CareApp timestamp
        again = session_status(client, session.id, acting_user=NURSE)
    assert (again.id, again.status, again.url) == (session.id, ACTIVE, None)  # the url is shown once
    assert session.url not in world.server.log()  # tokens never reach the server's logs


def test_a_session_completes_when_the_patient_is_done(world: HostedWorld) -> None:
    flow = world.start_care_flow()
    with world.client() as client:
        session = create_session(client, flow["id"], acting_user=NURSE)
        assert session.url is not None
        world.complete_session(session.url)
        assert session_status(client, session.id, acting_user=NURSE).status == COMPLETED


def test_static_and_enrollment_links(world: HostedWorld) -> None:
    flow = world.start_care_flow()
    with world.client() as client:
        link = static_link(client, flow["id"], acting_user=NURSE)
        assert link.url and "/l/" in link.url and link.revoked_at is None
        poster = enrollment_link(client, WALK_IN, acting_user=NURSE)
        other = enrollment_link(client, WALK_IN, acting_user=NURSE)
    assert "/e/" in poster and poster != other


def test_unknown_care_flow_and_definition_are_refused(world: HostedWorld) -> None:
    with world.client() as client:
        with pytest.raises(Rejected) as refused:
            create_session(client, "no-such-care-flow", acting_user=NURSE)
        assert refused.value.status == 422
        with pytest.raises(Rejected) as missing:
            enrollment_link(client, "no-such-definition", acting_user=NURSE)
        assert missing.value.status == 404


def test_a_dead_backend_is_offline(world: HostedWorld) -> None:
    with world.client(f"http://127.0.0.1:{free_port()}") as client:
        with pytest.raises(Offline):
            create_session(client, "x", acting_user=NURSE)
        with pytest.raises(Offline):
            enrollment_link(client, "chronic-care-check-in", acting_user=NURSE)


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("nl-BE", "nl"),
        ("fr", "fr"),
        ("EN_gb", "en"),
        ("de", "de"),
        ("pl-PL", "pl"),
        ("it", None),
        (None, None),
    ],
)
def test_page_language(tag: str | None, expected: str | None) -> None:
    assert page_language(tag) == expected
