"""Tokens in patient-facing URLs: signed random ids, and sealed enrollment claims.

Keys come from the deployment's data key through HKDF, one per (purpose, version, region,
environment), so a token of one purpose never verifies as another, and a Sandbox token never
verifies in Production even if both were (wrongly) given the same data key.

Rotation: new tokens use the current version; every version from ``oldest`` up still verifies.
The version travels in the token, so no lookup is needed to pick the key.

Random-id tokens (links, sessions) are 34 bytes, base64url without padding (46 characters):
``format(1) | version(1) | random id(16) | HMAC-SHA256 tag truncated to 16``. A forged or altered
token fails the tag check before any database lookup, in constant time.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import re
import secrets
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

FORMAT = 1
ID_BYTES = 16  # 128 bits of randomness
TAG_BYTES = 16
TOKEN_BYTES = 2 + ID_BYTES + TAG_BYTES
TOKEN_CHARS = 46
MAX_VERSION = 255
# Enrollment tokens carry an external id; bounded so a URL stays scannable as a QR code.
MAX_SEALED_CLAIM = 600


class Purpose(StrEnum):
    LINK = "hosted-pages-link"
    SESSION = "hosted-pages-session"
    ENROLLMENT = "enrollment-link"
    CSRF = "hosted-pages-csrf"
    UNSUBSCRIBE = "notification-unsubscribe"  # a patient stops e-mails or SMS in one click


class KeyringError(ValueError):
    """A key version configuration that cannot work."""


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


_B64URL = re.compile(r"[A-Za-z0-9_-]*")


def _unb64(text: str) -> bytes | None:
    """The bytes of TEXT in canonical unpadded base64url, else None.

    Lenient decoding would let altered tokens open the same page: it skips characters outside
    the alphabet ('.', '~', '='), and ignores the unused low bits of the last character."""
    if not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        return None
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None
    return raw if _b64(raw) == text else None


def lookup_of(random_id: bytes) -> str:
    """What a row stores to find a token: the random id is 128 bits, so SHA-256 is enough."""
    return hashlib.sha256(random_id).hexdigest()


@dataclass(frozen=True, slots=True)
class Minted:
    token: str
    lookup: str
    version: int


class Keyring:
    """Versioned, purpose-bound keys of one deployment."""

    def __init__(self, root: bytes, region: str, environment: str, current: int = 1, oldest: int = 1) -> None:
        if not 1 <= oldest <= current <= MAX_VERSION:
            raise KeyringError(f"need 1 ≤ oldest ({oldest}) ≤ current ({current}) ≤ {MAX_VERSION}")
        self._root = root
        self.scope = f"{region}:{environment}"
        self.current = current
        self.oldest = oldest
        self._keys: dict[tuple[Purpose, int], bytes] = {}
        for purpose in Purpose:
            for version in range(oldest, current + 1):
                self._keys[purpose, version] = self._derive(purpose, version)

    def _derive(self, purpose: Purpose, version: int) -> bytes:
        info = f"careapp {purpose.value} v{version} {self.scope}".encode()
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(self._root)

    def key(self, purpose: Purpose, version: int) -> bytes | None:
        return self._keys.get((purpose, version))

    # ------------------------------------------------------------------ random-id tokens

    def _tag(self, key: bytes, purpose: Purpose, head: bytes) -> bytes:
        message = f"{self.scope}:{purpose.value}:".encode() + head
        return hmac.new(key, message, hashlib.sha256).digest()[:TAG_BYTES]

    def mint(self, purpose: Purpose) -> Minted:
        random_id = secrets.token_bytes(ID_BYTES)
        head = bytes((FORMAT, self.current)) + random_id
        key = self._keys[purpose, self.current]
        return Minted(_b64(head + self._tag(key, purpose, head)), lookup_of(random_id), self.current)

    def verify(self, purpose: Purpose, token: str) -> str | None:
        """The lookup of a genuine token of PURPOSE minted here, else None (never raises)."""
        if len(token) != TOKEN_CHARS:
            return None
        raw = _unb64(token)
        if raw is None or len(raw) != TOKEN_BYTES or raw[0] != FORMAT:
            return None
        key = self._keys.get((purpose, raw[1]))
        if key is None:  # an unknown or retired version
            return None
        head, tag = raw[: 2 + ID_BYTES], raw[2 + ID_BYTES :]
        if not hmac.compare_digest(tag, self._tag(key, purpose, head)):
            return None
        return lookup_of(head[2:])

    # ------------------------------------------------------------------ sealed claims

    def seal_claim(self, purpose: Purpose, claim: dict[str, Any]) -> str:
        """CLAIM as an AES-GCM token: authenticated (not forgeable) and unreadable in the URL."""
        head = bytes((FORMAT, self.current))
        nonce = os.urandom(12)
        plaintext = json.dumps(claim, separators=(",", ":"), sort_keys=True).encode()
        sealed = AESGCM(self._keys[purpose, self.current]).encrypt(nonce, plaintext, self._aad(purpose, head))
        return _b64(head + nonce + sealed)

    def open_claim(self, purpose: Purpose, token: str) -> tuple[dict[str, Any], int] | None:
        """The claim and key version of a genuine sealed token, else None (never raises)."""
        if not 20 <= len(token) <= MAX_SEALED_CLAIM:
            return None
        raw = _unb64(token)
        if raw is None or len(raw) < 2 + 12 + 16 or raw[0] != FORMAT:
            return None
        key = self._keys.get((purpose, raw[1]))
        if key is None:
            return None
        head = raw[:2]
        try:
            plaintext = AESGCM(key).decrypt(raw[2:14], raw[14:], self._aad(purpose, head))
            claim = json.loads(plaintext)
        except (InvalidTag, ValueError):
            return None
        return (claim, raw[1]) if isinstance(claim, dict) else None

    def _aad(self, purpose: Purpose, head: bytes) -> bytes:
        return f"{self.scope}:{purpose.value}:".encode() + head

    # ------------------------------------------------------------------ CSRF

    def _csrf(self, version: int, browser_nonce: str, scope: str) -> str:
        key = self._keys[Purpose.CSRF, version]
        return _b64(hmac.new(key, f"{browser_nonce}|{scope}".encode(), hashlib.sha256).digest()[:18])

    def csrf_token(self, browser_nonce: str, scope: str) -> str:
        """Ties a form to the browser's CSRF cookie and to one session or enrollment link."""
        return self._csrf(self.current, browser_nonce, scope)

    def csrf_ok(self, browser_nonce: str | None, scope: str, token: str | None) -> bool:
        if not browser_nonce or not token:
            return False
        return any(
            hmac.compare_digest(token, self._csrf(v, browser_nonce, scope))
            for v in range(self.oldest, self.current + 1)
        )
