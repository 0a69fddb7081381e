"""The ADT listener: MLLP (optionally over TLS) on the configured address, inside careapp-server.

One thread per hospital connection (socket); frames are answered in order. Those that arrived
back to back (already in the buffer together) are stored by ``adt.handle_batch`` in one
transaction and answered after its commit; a sender that waits for each ACK gets one
transaction per message. A frame larger than MAX_FRAME, or bytes outside a
frame, close the connection (a sender that garbles framing cannot be answered reliably). Nothing
is logged but the peer's address and the acknowledgement codes.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import socketserver
import ssl
import threading

from careapp.integrations.hl7.mllp import END, START, frame
from careapp.server.context import Services
from careapp.server.hospital_link import adt

log = logging.getLogger("careapp.server.hospital_link.listener")
MAX_FRAME = 4 * 1024 * 1024
IDLE_TIMEOUT = 300.0  # seconds a hospital's connection may stay silent before we close it
# Frames already received when one is answered are stored together, in one transaction of at
# most this many (a sender that does not wait for each ACK gets one commit per batch).
MAX_BATCH = 100


def tls_context(cert_file: str, key_file: str | None = None) -> ssl.SSLContext:
    """A server context from a PEM certificate (with its key, or the key in KEY_FILE)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert_file, key_file)
    return context


def frames(buffer: bytes) -> tuple[list[bytes], bytes, bool]:
    """The complete frames at the start of BUFFER (MAX_BATCH at most), what is left of it, and
    whether what follows them is not MLLP."""
    payloads: list[bytes] = []
    while len(payloads) < MAX_BATCH:
        buffer = buffer.lstrip(b"\r\n")
        if buffer and not buffer.startswith(START):
            return payloads, buffer, True
        end = buffer.find(END)
        if end < 0:
            break
        payloads.append(buffer[1:end])
        buffer = buffer[end + 1 :].removeprefix(b"\r")
    return payloads, buffer, False


class _Handler(socketserver.BaseRequestHandler):
    server: AdtListener

    def handle(self) -> None:
        sock: socket.socket = self.request
        sock.settimeout(IDLE_TIMEOUT)
        # Each batch of answers goes out at once: Nagle would hold the next one back until the
        # sender's TCP ACK of the last, which a peer that is only reading delays by up to 40 ms.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.server.tls is not None:
            try:
                sock = self.server.tls.wrap_socket(sock, server_side=True)
            except (ssl.SSLError, OSError) as exc:
                log.info(
                    "ADT connection from %s: TLS handshake failed (%s)",
                    self.client_address[0],
                    type(exc).__name__,
                )
                return
        buffer = b""
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    return
                buffer += chunk
                while True:
                    payloads, buffer, garbled = frames(buffer)
                    if payloads:
                        acks = adt.handle_batch(self.server.services, payloads)
                        self.server.answered += len(acks)
                        sock.sendall(b"".join(frame(ack.wire) for ack in acks))
                    if garbled:
                        return  # not MLLP
                    if len(payloads) < MAX_BATCH:
                        break
                if len(buffer) > MAX_FRAME:
                    return
        except (OSError, ssl.SSLError):
            return
        finally:
            with contextlib.suppress(OSError):
                sock.close()


class AdtListener(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, services: Services, host: str, port: int, tls: ssl.SSLContext | None = None) -> None:
        self.services = services
        self.tls = tls
        self.answered = 0
        self._thread: threading.Thread | None = None
        super().__init__((host, port), _Handler)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def start(self) -> AdtListener:
        self._thread = threading.Thread(target=self.serve_forever, name="adt-listener", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    def __enter__(self) -> AdtListener:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def from_config(services: Services) -> AdtListener | None:
    """The listener the deployment's configuration asks for (None when the switch is off)."""
    config = services.config
    if config.adt_mllp_port is None:
        return None
    tls = tls_context(config.adt_tls_cert, config.adt_tls_key) if config.adt_tls_cert else None
    return AdtListener(services, config.adt_mllp_host, config.adt_mllp_port, tls)
