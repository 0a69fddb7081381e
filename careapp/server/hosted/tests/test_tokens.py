"""Link, session and enrollment tokens: forgery, tampering, deployment binding, key rotation."""

from __future__ import annotations

import base64
import os
import random
import string

from careapp.server.tokens import TOKEN_CHARS, Keyring, Purpose

ROOT = os.urandom(32)
ALPHABET = string.ascii_letters + string.digits + "-_"


def test_100000_random_tokens_are_all_refused() -> None:
    keyring = Keyring(ROOT, "eu", "sandbox")
    rng = random.Random(20261121)
    accepted = 0
    for n in range(100_000):
        if n % 2:
            # Well-formed: right length, format byte and key version; only the id and tag are guessed.
            raw = bytes((1, 1)) + rng.randbytes(32)
            token = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
        else:
            token = "".join(rng.choice(ALPHABET) for _ in range(TOKEN_CHARS))
        purpose = (Purpose.LINK, Purpose.SESSION)[n % 4 // 2]
        accepted += keyring.verify(purpose, token) is not None
        accepted += keyring.open_claim(Purpose.ENROLLMENT, token) is not None
    assert accepted == 0


def test_every_single_character_change_is_refused() -> None:
    keyring = Keyring(ROOT, "eu", "sandbox")
    minted = keyring.mint(Purpose.LINK)
    assert len(minted.token) == TOKEN_CHARS and keyring.verify(Purpose.LINK, minted.token) == minted.lookup
    for i, ch in enumerate(minted.token):
        for other in "A_z9":
            if other != ch:
                changed = minted.token[:i] + other + minted.token[i + 1 :]
                # The last character carries 2 padding bits base64 ignores: the bytes may be equal.
                if base64.urlsafe_b64decode(changed + "==") != base64.urlsafe_b64decode(minted.token + "=="):
                    assert keyring.verify(Purpose.LINK, changed) is None
    assert keyring.verify(Purpose.LINK, minted.token[:-1]) is None
    assert keyring.verify(Purpose.LINK, minted.token + "A") is None


def test_a_token_only_opens_what_it_was_minted_for() -> None:
    keyring = Keyring(ROOT, "eu", "sandbox")
    link = keyring.mint(Purpose.LINK).token
    assert keyring.verify(Purpose.SESSION, link) is None


def test_a_sandbox_token_is_refused_by_production_and_other_regions() -> None:
    sandbox = Keyring(ROOT, "eu", "sandbox")
    token = sandbox.mint(Purpose.SESSION).token
    sealed = sandbox.seal_claim(Purpose.ENROLLMENT, {"l": "x"})
    # Same data key on purpose (a misconfiguration): the binding alone still keeps them apart.
    for other in (Keyring(ROOT, "eu", "production"), Keyring(ROOT, "us", "sandbox")):
        assert other.verify(Purpose.SESSION, token) is None
        assert other.open_claim(Purpose.ENROLLMENT, sealed) is None
    assert sandbox.verify(Purpose.SESSION, token) is not None


def test_rotation_new_tokens_use_the_newest_key_old_ones_verify_until_retired() -> None:
    v1 = Keyring(ROOT, "eu", "sandbox", current=1)
    old = v1.mint(Purpose.LINK)
    old_claim = v1.seal_claim(Purpose.ENROLLMENT, {"l": "abc"})
    rotated = Keyring(ROOT, "eu", "sandbox", current=2, oldest=1)
    new = rotated.mint(Purpose.LINK)
    assert new.version == 2 and base64.urlsafe_b64decode(new.token + "==")[1] == 2
    assert rotated.verify(Purpose.LINK, old.token) == old.lookup
    assert rotated.open_claim(Purpose.ENROLLMENT, old_claim) == ({"l": "abc"}, 1)
    assert v1.verify(Purpose.LINK, new.token) is None  # a worker not yet rotated refuses v2
    retired = Keyring(ROOT, "eu", "sandbox", current=2, oldest=2)
    assert retired.verify(Purpose.LINK, old.token) is None
    assert retired.open_claim(Purpose.ENROLLMENT, old_claim) is None
    assert retired.verify(Purpose.LINK, new.token) == new.lookup


def test_enrollment_claim_is_unreadable_and_tamper_proof() -> None:
    keyring = Keyring(ROOT, "eu", "sandbox")
    mrn = "123-456-0000"
    token = keyring.seal_claim(Purpose.ENROLLMENT, {"l": "link", "s": "urn:mrn", "x": mrn})
    assert mrn not in token and mrn.encode() not in base64.urlsafe_b64decode(token + "==")
    assert keyring.open_claim(Purpose.ENROLLMENT, token) == ({"l": "link", "s": "urn:mrn", "x": mrn}, 1)
    raw = bytearray(base64.urlsafe_b64decode(token + "=="))
    for i in range(len(raw)):
        raw[i] ^= 1
        assert keyring.open_claim(Purpose.ENROLLMENT, base64.urlsafe_b64encode(bytes(raw)).decode()) is None
        raw[i] ^= 1


def test_csrf_token_is_bound_to_browser_and_scope() -> None:
    keyring = Keyring(ROOT, "eu", "sandbox")
    token = keyring.csrf_token("browser-nonce-123456", "session-1")
    assert keyring.csrf_ok("browser-nonce-123456", "session-1", token)
    assert not keyring.csrf_ok("browser-nonce-654321", "session-1", token)
    assert not keyring.csrf_ok("browser-nonce-123456", "session-2", token)
    assert not keyring.csrf_ok(None, "session-1", token)
