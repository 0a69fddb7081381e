"""uvicorn's HTTP protocol with a bound on the request head while it is still arriving.

httptools buffers a header line of any length before the app sees a single header, so the
Guard's caps (app.py) come too late to stop sixteen megabytes of one header line held in memory
per connection. This counts the bytes of each request head as they arrive and answers 431 once
they pass MAX_HEAD_BYTES, before buffering more."""

from __future__ import annotations

import json

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from careapp.server import problems

# The request line (a long query string) plus the Guard's 32 KiB of headers, with room to spare.
MAX_HEAD_BYTES = 64 * 1024
_DETAIL = f"The request line and headers are limited to {MAX_HEAD_BYTES} bytes."


def _refusal() -> bytes:
    body = json.dumps(
        {
            "type": problems.TYPE_BASE + "headers-too-large",
            "title": problems.TITLES[431],
            "status": 431,
            "detail": _DETAIL,
        }
    ).encode()
    head = (
        "HTTP/1.1 431 Request Header Fields Too Large\r\n"
        f"content-type: {problems.PROBLEM_MEDIA_TYPE}\r\ncontent-length: {len(body)}\r\n"
        "connection: close\r\ncache-control: no-store\r\n\r\n"
    )
    return head.encode("ascii") + body


class BoundedHeadProtocol(HttpToolsProtocol):
    _in_head = True  # a connection starts with a request head
    _head_bytes = 0

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head, self._head_bytes = True, 0

    def on_headers_complete(self) -> None:
        self._in_head = False
        super().on_headers_complete()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        # Counted after parsing: a chunk that completes the head (and carries body bytes after it)
        # is not a long head. The parser holds at most one read beyond the limit.
        if self._in_head and not self.transport.is_closing():
            self._head_bytes += len(data)
            if self._head_bytes > MAX_HEAD_BYTES:
                self.transport.write(_refusal())
                self.transport.close()
