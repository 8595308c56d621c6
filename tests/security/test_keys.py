"""Key store: generation, rotation keeping old public keys, device registry, challenge/response."""

from __future__ import annotations

from pathlib import Path

import pytest

from anfang.security.keys import (
    KeyStore,
    MissingKeyError,
    answer_challenge,
    check_device_response,
    new_challenge,
)
from anfang.security.sm import generate_sm2_keypair, sm2_verify


def test_generate_rotate_and_verify_old(tmp_path: Path) -> None:
    store = KeyStore(tmp_path)
    with pytest.raises(MissingKeyError):
        store.signer()
    kid = store.generate()
    assert store.ensure() == kid
    with pytest.raises(FileExistsError):
        store.generate()
    assert (store.platform_dir / f"{kid}.key.json").stat().st_mode & 0o777 == 0o600
    assert store.root.stat().st_mode & 0o777 == 0o700
    old_sig = store.signer().sign(b"before")
    old, new = store.rotate()
    assert (old, store.current_key_id()) == (kid, new) and old != new
    assert not (store.platform_dir / f"{old}.key.json").exists()  # retired private key is gone
    signer = store.signer()
    assert signer.key_id == new
    assert signer.verify(b"before", old_sig, old)
    assert not signer.verify(b"before", old_sig, new)
    assert set(store.public_keys()) == {old, new}


def test_device_registry_and_two_way_auth(tmp_path: Path) -> None:
    store = KeyStore(tmp_path)
    store.generate()
    device = generate_sm2_keypair()
    store.register_device("34020000001320000001", device.public_key, note="gate camera")
    assert store.device_key("34020000001320000001") == device.public_key
    assert list(store.devices()) == ["34020000001320000001"]
    assert store.device_key("../../etc/passwd") is None
    with pytest.raises(ValueError):
        store.register_device("a/b", device.public_key)

    challenge = new_challenge()
    answer = answer_challenge(device, challenge, "34020000001320000001", "platform")
    assert check_device_response(store, "34020000001320000001", challenge, "platform", answer)
    assert not check_device_response(store, "34020000001320000001", new_challenge(), "platform", answer)
    assert not check_device_response(store, "34020000001320000001", challenge, "other-platform", answer)
    assert not check_device_response(store, "unknown", challenge, "platform", answer)

    # the other direction: the device checks the platform with the platform's public key
    platform = store.private_key()
    reply = answer_challenge(platform, challenge, "platform", "34020000001320000001")
    from anfang.security.keys import challenge_payload

    assert sm2_verify(platform.public_key, challenge_payload(challenge, "platform", "34020000001320000001"), reply)
    assert store.remove_device("34020000001320000001") and store.device_key("34020000001320000001") is None
