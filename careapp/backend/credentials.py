"""Where the workstation credential lives: the OS keyring, or a 0600 file when there is none.

One credential per backend profile (url + region + environment), under keyring service
"careapp". A headless Linux box often has no keyring (keyring.backends.fail, or a chainer with
nothing to chain); there the credential goes to a file in the profile folder that only the OS
user can read, and ``StoredCredential.in_file`` lets the UI say so.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import keyring
import keyring.backend
import keyring.errors
from keyring.backends import chainer, fail

from careapp import paths

log = logging.getLogger(__name__)
SERVICE = "careapp"
Location = Literal["keyring", "file"]


@dataclass(frozen=True)
class StoredCredential:
    secret: str = ""
    location: Location = "keyring"

    @property
    def in_file(self) -> bool:
        """True when the UI should show "credential stored in a file" (no OS keyring)."""
        return self.location == "file"

    def __repr__(self) -> str:  # never print the secret
        return f"StoredCredential(location={self.location!r})"


def keyring_usable(backend: keyring.backend.KeyringBackend | None = None) -> bool:
    """Whether BACKEND (default: the active one) can actually keep a secret."""
    backend = backend or keyring.get_keyring()
    if isinstance(backend, fail.Keyring):
        return False
    if isinstance(backend, chainer.ChainerBackend):
        return bool(backend.backends)
    return float(backend.priority) > 0


class CredentialStore:
    """Save, load and forget workstation credentials, keyring first."""

    def __init__(self, folder: Path | None = None) -> None:
        self._folder = folder

    @property
    def folder(self) -> Path:
        return self._folder or paths.profile_dir() / "credentials"

    def save(self, profile_key: str, secret: str) -> StoredCredential:
        """Keep SECRET for the backend PROFILE_KEY (BackendProfile.key); say where it went."""
        if keyring_usable():
            try:
                keyring.set_password(SERVICE, profile_key, secret)
            except keyring.errors.KeyringError as exc:  # locked, no D-Bus session, …
                log.warning("OS keyring refused the credential (%s); using a file", type(exc).__name__)
            else:
                self._file(profile_key).unlink(missing_ok=True)  # no stale copy left behind
                return StoredCredential(secret, "keyring")
        self._write_file(profile_key, secret)
        return StoredCredential(secret, "file")

    def load(self, profile_key: str) -> StoredCredential | None:
        if keyring_usable():
            try:
                secret = keyring.get_password(SERVICE, profile_key)
            except keyring.errors.KeyringError:
                secret = None
            if secret:
                return StoredCredential(secret, "keyring")
        secret = self._read_file(profile_key)
        if secret is None:
            return None
        if keyring_usable():
            # A keyring appeared since the file was written: move the credential into it.
            moved = self.save(profile_key, secret)
            if moved.location == "keyring":
                return moved
        return StoredCredential(secret, "file")

    def delete(self, profile_key: str) -> None:
        if keyring_usable():
            with contextlib.suppress(keyring.errors.KeyringError):  # PasswordDeleteError: none kept
                keyring.delete_password(SERVICE, profile_key)
        self._file(profile_key).unlink(missing_ok=True)

    # -- the file fallback ------------------------------------------------------------------

    def _file(self, profile_key: str) -> Path:
        digest = hashlib.sha256(profile_key.encode()).hexdigest()[:20]
        return self.folder / f"{digest}.credential"

    def _write_file(self, profile_key: str, secret: str) -> None:
        folder = self.folder
        folder.mkdir(parents=True, exist_ok=True)
        os.chmod(folder, 0o700)
        target = self._file(profile_key)
        tmp = target.with_suffix(".tmp")
        # O_EXCL on a fresh name and mode 0600 from the start: never readable by others, not even
        # for the moment between create and chmod.
        tmp.unlink(missing_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump({"backend": profile_key, "credential": secret}, fh)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o600)  # in case the umask is odd
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def _read_file(self, profile_key: str) -> str | None:
        target = self._file(profile_key)
        try:
            mode = stat.S_IMODE(target.stat().st_mode)
            if os.name == "posix" and mode & 0o077:
                os.chmod(target, 0o600)  # someone widened it: close it again before reading
            data = json.loads(target.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            log.warning("credential file unreadable: %s", type(exc).__name__)
            return None
        if data.get("backend") != profile_key:
            return None
        secret = data.get("credential")
        return secret if isinstance(secret, str) and secret else None
