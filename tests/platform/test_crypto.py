"""Encryption at rest (caseflow/crypto.py): round trip, binding to the record, key rotation."""
from __future__ import annotations

import base64

import pytest

from caseflow import crypto


def _key(byte: bytes) -> str:
    return base64.urlsafe_b64encode(byte * 32).decode()


def test_round_trip_and_ciphertext_differs_from_plaintext(app):
    key_id, blob = crypto.encrypt(b"Lebenslauf von Amira", context=b"document:1")
    assert b"Amira" not in blob
    assert crypto.decrypt(key_id, blob, context=b"document:1") == b"Lebenslauf von Amira"
    # A random nonce: the same plaintext never gives the same ciphertext.
    assert crypto.encrypt(b"Lebenslauf von Amira", context=b"document:1")[1] != blob


def test_ciphertext_moved_to_another_record_or_altered_does_not_decrypt(app):
    key_id, blob = crypto.encrypt(b"secret", context=b"document:1")
    with pytest.raises(crypto.KeyError_):
        crypto.decrypt(key_id, blob, context=b"document:2")
    altered = blob[:-1] + bytes([blob[-1] ^ 1])
    with pytest.raises(crypto.KeyError_):
        crypto.decrypt(key_id, altered, context=b"document:1")


def test_rotation_new_key_encrypts_old_key_still_decrypts(app, monkeypatch):
    old, new = _key(b"o"), _key(b"n")
    monkeypatch.setitem(app.config, "DOCUMENT_KEY", old)
    old_id, blob = crypto.encrypt(b"kept", context=b"x")
    monkeypatch.setitem(app.config, "DOCUMENT_KEY", f"{new},{old}")
    assert crypto.current_key_id() != old_id
    assert crypto.decrypt(old_id, blob, context=b"x") == b"kept"
    new_id, _ = crypto.encrypt(b"kept", context=b"x")
    assert new_id == crypto.current_key_id()
    monkeypatch.setitem(app.config, "DOCUMENT_KEY", new)  # the old key removed: its ciphertexts can no longer be read
    with pytest.raises(crypto.KeyError_, match="not in DOCUMENT_KEY"):
        crypto.decrypt(old_id, blob, context=b"x")


@pytest.mark.parametrize("value", ["", "not base64!", base64.urlsafe_b64encode(b"short").decode()])
def test_malformed_keys_are_refused(value):
    with pytest.raises(crypto.KeyError_):
        crypto.parse_keys(value)


def test_pseudonyms_are_stable_and_depend_on_purpose_and_key(app, monkeypatch):
    first = crypto.pseudonym("monitoring", 1, "CF-2026-000001")
    assert first == crypto.pseudonym("monitoring", 1, "CF-2026-000001")
    assert first != crypto.pseudonym("monitoring", 2, "CF-2026-000001")
    assert first != crypto.pseudonym("partnership", 1, "CF-2026-000001")
    monkeypatch.setitem(app.config, "PSEUDONYM_KEY", "another key")
    assert first != crypto.pseudonym("monitoring", 1, "CF-2026-000001")
