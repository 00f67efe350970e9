"""Encryption at rest with rotating keys (documents, TOTP secrets), and keyed pseudonyms.

`DOCUMENT_KEY` holds one or more keys, newest first, comma-separated; each is 32 random bytes in
URL-safe base64. The first key encrypts; every listed key decrypts. A key's id is the first 8 hex
digits of the SHA-256 of the key, stored with each ciphertext so that the right key is found and
`documents rotate-key` knows what is still under an old key.

Ciphertexts are AES-256-GCM with a random 96-bit nonce: `nonce ‖ ciphertext ‖ tag`. `context`
(e.g. b"document:42" or b"totp:7") is bound as associated data, so a ciphertext copied to another
row does not decrypt there.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app

NONCE_BYTES = 12


class KeyError_(RuntimeError):
    """A key is malformed, or no listed key can decrypt a ciphertext."""


@dataclass(frozen=True)
class Key:
    id: str
    secret: bytes


def parse_keys(value: str) -> list[Key]:
    """The keys of a DOCUMENT_KEY value, newest first."""
    keys = []
    for part in (p.strip() for p in value.split(",")):
        if not part:
            continue
        try:
            secret = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        except (binascii.Error, ValueError) as exc:
            raise KeyError_("DOCUMENT_KEY holds a key that is not URL-safe base64") from exc
        if len(secret) != 32:
            raise KeyError_("each DOCUMENT_KEY key must be 32 bytes (44 characters of URL-safe base64)")
        keys.append(Key(hashlib.sha256(secret).hexdigest()[:8], secret))
    if not keys:
        raise KeyError_("DOCUMENT_KEY is empty")
    return keys


def keys() -> list[Key]:
    return parse_keys(current_app.config["DOCUMENT_KEY"])


def current_key_id() -> str:
    return keys()[0].id


def encrypt(plaintext: bytes, *, context: bytes) -> tuple[str, bytes]:
    """(key id, nonce ‖ ciphertext ‖ tag) under the newest key."""
    key = keys()[0]
    nonce = os.urandom(NONCE_BYTES)
    return key.id, nonce + AESGCM(key.secret).encrypt(nonce, plaintext, context)


def decrypt(key_id: str, blob: bytes, *, context: bytes) -> bytes:
    """The plaintext; KeyError_ when the key is not listed any more or the data were altered."""
    for key in keys():
        if key.id == key_id:
            try:
                return AESGCM(key.secret).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], context)
            except Exception as exc:  # cryptography's InvalidTag: altered data or wrong context
                raise KeyError_("the data cannot be decrypted (altered, or stored for another record)") from exc
    raise KeyError_(f"key {key_id} is not in DOCUMENT_KEY any more")


def pseudonym(purpose: str, *parts: str | int) -> str:
    """A stable keyed pseudonym (HMAC-SHA-256 under PSEUDONYM_KEY) of `parts` for `purpose`;
    the same input gives the same pseudonym, and nothing about the input can be read from it."""
    key = current_app.config["PSEUDONYM_KEY"].encode()
    message = "\x1f".join([purpose, *map(str, parts)]).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()
