"""Secrets: credential hashing, token minting, and sealing values at rest.

Credentials are high-entropy random strings, so one SHA-256 over them (with the deployment
mixed in) is enough at rest; a slow password hash would only slow every request down.
Sealed values (concealed constants, stored idempotent responses) use AES-256-GCM with the
deployment and purpose as associated data, so a ciphertext cannot be moved to another row or
deployment.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from careapp.server.config import ENV_SECRET_KEY, ConfigError

# Crockford-like alphabet without 0/O/1/I/L/U so a pairing code survives being read aloud.
_PAIRING_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"


def credential_hash(secret: str, region: str, environment: str) -> str:
    return hashlib.sha256(f"{region}:{environment}:{secret}".encode()).hexdigest()


def mint_token(kind: str, region: str, environment: str) -> str:
    """e.g. ``ck_eu_sandbox_<43 url-safe chars>``: the prefix says where the token belongs."""
    return f"{kind}_{region}_{environment}_{secrets.token_urlsafe(32)}"


def mint_pairing_code() -> str:
    raw = "".join(secrets.choice(_PAIRING_ALPHABET) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def normalise_pairing_code(code: str) -> str:
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    return "-".join(cleaned[i : i + 4] for i in range(0, len(cleaned), 4))


def constant_time_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


class SealError(Exception):
    """A sealed value that cannot be opened with this deployment's key."""


class Sealer:
    def __init__(self, key: bytes, region: str, environment: str) -> None:
        if len(key) != 32:
            raise ConfigError("the data-encryption key must be 32 bytes")
        self._aead = AESGCM(key)
        self._scope = f"{region}:{environment}:"

    def seal(self, plaintext: bytes, purpose: str) -> str:
        nonce = os.urandom(12)
        ct = self._aead.encrypt(nonce, plaintext, (self._scope + purpose).encode())
        return "v1:" + base64.urlsafe_b64encode(nonce + ct).decode()

    def open(self, sealed: str, purpose: str) -> bytes:
        if not sealed.startswith("v1:"):
            raise SealError("unknown sealed format")
        raw = base64.urlsafe_b64decode(sealed[3:])
        try:
            return self._aead.decrypt(raw[:12], raw[12:], (self._scope + purpose).encode())
        except InvalidTag as exc:
            raise SealError("sealed value does not open with this key") from exc


def load_key(secret_file: str | None, default_file: Path | None) -> bytes:
    """The data key from $CAREAPP_SERVER_SECRET_KEY, --secret-file, or a file beside the SQLite DB.

    Every worker must read the same key, so it is never generated in memory for a real database.
    """
    if env := os.environ.get(ENV_SECRET_KEY):
        try:
            return base64.urlsafe_b64decode(env)
        except ValueError as exc:
            raise ConfigError(f"{ENV_SECRET_KEY} must be 32 bytes, url-safe base64") from exc
    path = Path(secret_file) if secret_file else default_file
    if path is None:
        raise ConfigError(
            f"no data-encryption key: pass --secret-file or set {ENV_SECRET_KEY} (32 bytes, base64)"
        )
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = base64.urlsafe_b64encode(os.urandom(32))
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another worker won the race; read its key below
        else:
            with os.fdopen(fd, "wb") as fh:
                fh.write(key)
    try:
        return base64.urlsafe_b64decode(path.read_bytes().strip())
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read the data-encryption key from {path}") from exc
