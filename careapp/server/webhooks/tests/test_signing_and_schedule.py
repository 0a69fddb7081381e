"""Signatures against the independent standardwebhooks package; Retry-After and the schedule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks.webhooks import Webhook

from careapp.server.webhooks import signing
from careapp.server.webhooks.dispatcher import (
    MAX_ATTEMPTS,
    MAX_RETRY_AFTER,
    RETRY_SCHEDULE,
    backoff,
    parse_retry_after,
)

NOW = datetime(2031, 3, 4, 9, 0, tzinfo=UTC)


def test_signature_matches_the_reference_implementation() -> None:
    secret = signing.new_secret()
    body = '{"type":"care_flow.started","timestamp":"2031-03-04T09:00:00.000Z","data":{}}'
    ts = int(datetime.now(UTC).timestamp())
    ours = signing.sign(secret, "msg_1", ts, body)
    assert ours == Webhook(secret).sign("msg_1", datetime.fromtimestamp(ts, UTC), body)
    headers = signing.headers([secret], "msg_1", ts, body)
    assert Webhook(secret).verify(body, headers)["type"] == "care_flow.started"
    with pytest.raises(Exception):  # noqa: B017 - any tampering is refused
        Webhook(secret).verify(body.replace("started", "stopped"), headers)


def test_secrets_and_ids_are_fresh() -> None:
    assert len({signing.new_secret() for _ in range(50)}) == 50
    assert len(signing.secret_key(signing.new_secret())) == signing.SECRET_BYTES
    assert signing.new_message_id().startswith("msg_")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("120", timedelta(seconds=120)),
        (" 0 ", timedelta(0)),
        ("Tue, 04 Mar 2031 10:30:00 GMT", timedelta(hours=1, minutes=30)),
        ("Tue, 04 Mar 2031 08:00:00 GMT", timedelta(0)),  # a date in the past: now
        ("9999999", MAX_RETRY_AFTER),
        ("soon", None),
        ("-5", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after(header: str | None, expected: timedelta | None) -> None:
    assert parse_retry_after(header, NOW) == expected


def test_schedule_is_standard_webhooks() -> None:
    assert [backoff(n, lambda: 0.0) for n in range(1, MAX_ATTEMPTS)] == list(RETRY_SCHEDULE)
    assert RETRY_SCHEDULE[:3] == (timedelta(seconds=5), timedelta(minutes=5), timedelta(minutes=30))
    assert MAX_ATTEMPTS == 8
    assert backoff(1, lambda: 0.1) == timedelta(seconds=5.5)
    assert timedelta(seconds=4.5) <= backoff(1) <= timedelta(seconds=5.5)
