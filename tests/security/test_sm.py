"""SM2/SM3/SM4 against the standards' published examples, OpenSSL, and misuse."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from anfang.security.sm import (
    Curve,
    DecryptionError,
    SM2PublicKey,
    generate_sm2_keypair,
    load_private_key,
    load_public_key,
    new_sm4_key,
    save_private_key,
    save_public_key,
    sm2_digest,
    sm2_private_from_int,
    sm2_sign,
    sm2_verify,
    sm2_z,
    sm3_hex,
    sm4_decrypt,
    sm4_ecb_block,
    sm4_encrypt,
)

# GB/T 32918.2-2016 Annex A: the 256-bit prime-field test curve (not the recommended curve)
TEST_CURVE = Curve(
    p="8542D69E4C044F18E8B92435BF6FF7DE457283915C45517D722EDB8B08F1DFC3",
    a="787968B4FA32C3FD2417842E73BBFEFF2F3C848B6831D7E0EC65228B3937E498",
    b="63E4C6D3B23B0C849CF84241484BFE48F61D59A5B16BA06E6E12D1DA27C5249A",
    gx="421DEBD61B62EAB6746434EBC3CC315E32220B3BADD50BDC4C4E6C147FEDD43D",
    gy="0680512BCBB42C07D47349D2153B70C4E5D7FDFCBFA36EA1A85841B9E46E09A2",
    n="8542D69E4C044F18E8B92435BF6FF7DD297720630485628D5AE74EE7C32E79B7",
)


def test_sm3_gbt32905_vectors() -> None:
    assert sm3_hex(b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert sm3_hex(b"abcd" * 16) == "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"


def test_sm4_gbt32907_vector() -> None:
    key = bytes.fromhex("0123456789abcdeffedcba9876543210")
    assert sm4_ecb_block(key, key).hex() == "681edf34d206965e86b3e94f536e4246"


def test_sm2_gbt32918_signature_example() -> None:
    alice = sm2_private_from_int(0x128B2FA8BD433C6C068C8D803DFF79792A519A55171B1B650C23661D15897263, TEST_CURVE)
    assert alice.public_key.xy.hex().upper() == (
        "0AE4C7798AA0F119471BEE11825BE46202BB79E2A5844495E97C04FF4DF2548A"
        "7C0240F88F1CD4E16352A73C17B7F16F07353E53A176D684A9FE0C6BB798E857"
    )
    uid, msg = b"ALICE123@YAHOO.COM", b"message digest"
    assert sm2_z(alice.public_key, uid).hex().upper() == (
        "F4A38489E32B45B6F876E3AC2168CA392362DC8F23459C1D1146FC3DBFB7BC9A"
    )
    assert sm2_digest(alice.public_key, msg, uid).hex().upper() == (
        "B524F552CD82B8B028476E005C377FB19A87E6FC682D48BB5D42E3D9B9EFFE76"
    )
    k = 0x6CB28D99385C175C94F94E934817663FC176D925DD72B727260DBAAE1FB2F96F
    sig = sm2_sign(alice, msg, uid, _k=k)
    assert sig.hex().upper() == (
        "40F1EC59F793D9F49E09DCEF49130D4194F79FB1EED2CAA55BACDB49C4E755D1"
        "6FC6DAC32C5D5CF10C77DFB20F7C2EB667A457872FB09EC56327A67EC7DEEBE7"
    )
    assert sm2_verify(alice.public_key, msg, sig, uid)
    assert not sm2_verify(alice.public_key, msg, sig)  # default user id gives another Z
    assert not sm2_verify(alice.public_key, b"message digesT", sig, uid)


def test_sm2_default_id_matches_gmssl_z() -> None:
    """gmssl hard-codes the default ID in its own Z computation; ours must agree for that ID."""
    from gmssl.sm2 import CryptSM2

    key = generate_sm2_keypair()
    ref = CryptSM2(private_key="", public_key=key.public_key.xy.hex())
    ref.public_key = key.public_key.xy.hex()
    assert ref._sm3_z(b"hello") == sm2_digest(key.public_key, b"hello").hex()


def test_sm2_sign_verify_and_malformed() -> None:
    key = generate_sm2_keypair()
    sig = sm2_sign(key, b"evidence")
    assert sig != sm2_sign(key, b"evidence")  # fresh nonce each time
    assert sm2_verify(key.public_key, b"evidence", sig)
    assert not sm2_verify(key.public_key, b"evidencE", sig)
    assert not sm2_verify(generate_sm2_keypair().public_key, b"evidence", sig)
    assert not sm2_verify(key.public_key, b"evidence", sig[:-1])
    assert not sm2_verify(key.public_key, b"evidence", bytes(64))
    assert not sm2_verify(key.public_key, b"evidence", b"\xff" * 64)
    with pytest.raises(ValueError, match="not a point"):
        SM2PublicKey(bytes(range(64)))
    assert "private" not in repr(key) and str(key.d) not in repr(key)


def test_key_files(tmp_path: Path) -> None:
    key = generate_sm2_keypair()
    save_private_key(tmp_path / "k.json", key)
    save_public_key(tmp_path / "k.pem", key.public_key)
    assert (tmp_path / "k.json").stat().st_mode & 0o777 == 0o600
    assert load_private_key(tmp_path / "k.json") == key
    assert load_public_key(tmp_path / "k.pem") == key.public_key
    assert len(key.public_key.key_id()) == 16


def _der_sig(sig: bytes) -> bytes:
    def integer(raw: bytes) -> bytes:
        raw = raw.lstrip(b"\x00") or b"\x00"
        raw = b"\x00" + raw if raw[0] & 0x80 else raw
        return b"\x02" + bytes([len(raw)]) + raw

    body = integer(sig[:32]) + integer(sig[32:])
    return b"\x30" + bytes([len(body)]) + body


@pytest.mark.usefixtures("openssl_command")
def test_sm2_interop_with_openssl(tmp_path: Path) -> None:
    key = generate_sm2_keypair()
    save_public_key(tmp_path / "pub.pem", key.public_key)
    (tmp_path / "msg").write_bytes(b"signed by anfang")
    (tmp_path / "sig.der").write_bytes(_der_sig(sm2_sign(key, b"signed by anfang")))
    cmd = [
        "openssl",
        "pkeyutl",
        "-verify",
        "-pubin",
        "-inkey",
        str(tmp_path / "pub.pem"),
        "-rawin",
        "-digest",
        "sm3",
        "-pkeyopt",
        "distid:1234567812345678",
        "-in",
        str(tmp_path / "msg"),
        "-sigfile",
        str(tmp_path / "sig.der"),
    ]
    probe = subprocess.run(["openssl", "pkey", "-pubin", "-in", str(tmp_path / "pub.pem"), "-noout"], check=False)
    if probe.returncode != 0:
        pytest.fail("this openssl has no SM2 (Debian's has)")
    ok = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    (tmp_path / "msg").write_bytes(b"signed by anfanG")
    assert subprocess.run(cmd, capture_output=True, check=False).returncode != 0


def test_sm4_gcm_round_trip_and_wrong_key() -> None:
    key = new_sm4_key()
    blob = sm4_encrypt(key, "plate 京A12345".encode(), aad=b"cam1")
    assert sm4_decrypt(key, blob, aad=b"cam1") == "plate 京A12345".encode()
    with pytest.raises(DecryptionError):
        sm4_decrypt(new_sm4_key(), blob, aad=b"cam1")
    with pytest.raises(DecryptionError):
        sm4_decrypt(key, blob, aad=b"cam2")
    tampered = bytearray(blob)
    tampered[14] ^= 1
    with pytest.raises(DecryptionError):
        sm4_decrypt(key, bytes(tampered), aad=b"cam1")
    assert sm4_encrypt(key, b"x") != sm4_encrypt(key, b"x")  # random nonce
