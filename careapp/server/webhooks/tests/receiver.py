"""A customer's webhook receiver on loopback: verifies every signature with the independent
`standardwebhooks` package and processes each webhook-id once, as a careful consumer does."""

from __future__ import annotations

import json
import threading
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass(frozen=True)
class Scripted:
    """How to answer one delivery before the receiver starts accepting."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Received:
    webhook_id: str
    headers: dict[str, str]
    body: str
    verified: bool
    answered: int


class Receiver:
    def __init__(self) -> None:
        self.secrets: list[str] = []
        self.script: list[Scripted] = []
        self.received: list[Received] = []
        self.processed: dict[str, Any] = {}  # webhook-id -> payload, processed once
        self.acknowledged: Counter[str] = Counter()  # 2xx answers per webhook-id
        self.duplicates: list[str] = []
        self._changed = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/hooks/careapp"

    def start(self) -> Receiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fail_next(self, *responses: Scripted) -> None:
        self.script.extend(responses)

    def wait_for_processed(self, count: int, timeout: float = 20.0) -> bool:
        """Wait for deliveries to arrive (an event, not the passing of time)."""
        with self._changed:
            return self._changed.wait_for(lambda: len(self.processed) >= count, timeout)

    def _verify(self, body: str, headers: dict[str, str]) -> Any:
        for secret in self.secrets:
            try:
                return Webhook(secret).verify(body, headers)
            except WebhookVerificationError:
                continue
        return None

    def _answer(self, body: str, headers: dict[str, str]) -> Scripted:
        payload = self._verify(body, headers)
        webhook_id = headers.get("webhook-id", "")
        with self._changed:
            if payload is None:
                answer = Scripted(401)
            elif self.script:
                answer = self.script.pop(0)
            else:
                answer = Scripted(204)
                if webhook_id in self.processed:
                    self.duplicates.append(webhook_id)  # already processed: acknowledge only
                else:
                    self.processed[webhook_id] = payload
            if 200 <= answer.status < 300:
                self.acknowledged[webhook_id] += 1
            self.received.append(Received(webhook_id, headers, body, payload is not None, answer.status))
            self._changed.notify_all()
        return answer

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0"))).decode()
                answer = receiver._answer(body, {k.lower(): v for k, v in self.headers.items()})
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


def payloads(receiver: Receiver) -> list[dict[str, Any]]:
    return [json.loads(r.body) for r in receiver.received]
