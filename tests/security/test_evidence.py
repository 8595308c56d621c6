"""Evidence: signed sidecars, SM4 at rest, bundles that verify offline and name the damaged file."""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

import pytest

from anfang.security.evidence import (
    decrypt_file,
    encrypt_file,
    export_bundle,
    generate_sm4_key_file,
    is_encrypted,
    load_sm4_key,
    sign_file,
    verify_bundle,
    verify_file,
)
from anfang.security.keys import Signer
from anfang.security.sm import DecryptionError, generate_sm2_keypair


@pytest.fixture(scope="module")
def signer() -> Signer:
    return Signer(generate_sm2_keypair())


@pytest.fixture
def media(tmp_path: Path) -> list[Path]:
    src = tmp_path / "src"
    src.mkdir()
    snap = src / "snapshot.jpg"
    snap.write_bytes(b"\xff\xd8" + os.urandom(5000) + b"\xff\xd9")
    clip = src / "clip.mp4"
    clip.write_bytes(os.urandom(300_000))
    return [snap, clip]


def _flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def test_sidecar_round_trip_and_flip(media: list[Path], signer: Signer) -> None:
    sidecar = sign_file(media[0], signer)
    assert sidecar.name == "snapshot.jpg.sig.json"
    assert verify_file(media[0]) == []
    assert verify_file(media[0], trusted_key_ids={signer.key_id}) == []
    assert [p.kind for p in verify_file(media[0], trusted_key_ids={"0" * 16})] == ["signature"]
    _flip(media[0], 100)
    problems = verify_file(media[0])
    assert [(p.kind, p.file) for p in problems] == [("digest", "snapshot.jpg")]


@pytest.mark.parametrize("as_zip", [False, True])
def test_bundle_round_trip_and_flipped_byte(tmp_path: Path, media: list[Path], signer: Signer, as_zip: bool) -> None:
    out = tmp_path / ("case.zip" if as_zip else "case")
    export_bundle(media, {"case": "2024-117", "camera": "gate", "operator": "张三"}, out, signer)
    assert verify_bundle(out) == []
    assert verify_bundle(out, trusted_key_ids=[signer.key_id]) == []
    if as_zip:  # flip one byte of the clip inside the zip
        with zipfile.ZipFile(out) as zf:
            items = {n: zf.read(n) for n in zf.namelist()}
        clip = bytearray(items["media/clip.mp4"])
        clip[123_456] ^= 0x80
        items["media/clip.mp4"] = bytes(clip)
        with zipfile.ZipFile(out, "w") as zf:
            for n, data in items.items():
                zf.writestr(n, data)
    else:
        _flip(out / "media" / "clip.mp4", 123_456)
    problems = verify_bundle(out)
    assert [(p.kind, p.file) for p in problems] == [("digest", "media/clip.mp4")]


def test_bundle_tampered_manifest_and_extras(tmp_path: Path, media: list[Path], signer: Signer) -> None:
    out = export_bundle(media, {"case": "1"}, tmp_path / "b", signer)
    manifest = out / "manifest.json"
    manifest.write_text(manifest.read_text().replace('"case": "1"', '"case": "2"'))
    (out / "media" / "planted.jpg").write_bytes(b"x")
    (out / "media" / "snapshot.jpg").unlink()
    problems = {(p.kind, p.file) for p in verify_bundle(out)}
    assert problems == {
        ("signature", "manifest.json"),
        ("missing_file", "media/snapshot.jpg"),
        ("unlisted_file", "media/planted.jpg"),
    }


def test_bundle_with_another_key_is_untrusted(tmp_path: Path, media: list[Path], signer: Signer) -> None:
    out = export_bundle(media, {}, tmp_path / "b.zip", Signer(generate_sm2_keypair()))
    problems = verify_bundle(out, trusted_key_ids=[signer.key_id])
    assert [(p.kind, p.file) for p in problems] == [("signature", "manifest.json")]
    assert "untrusted" in problems[0].message


def test_bundle_survives_copy(tmp_path: Path, media: list[Path], signer: Signer) -> None:
    out = export_bundle(media, {}, tmp_path / "b", signer)
    shutil.copytree(out, tmp_path / "copy")
    assert verify_bundle(tmp_path / "copy") == []
    assert verify_bundle(tmp_path / "nope")[0].kind == "missing_file"


def test_sm4_file_round_trip_and_wrong_key(tmp_path: Path, media: list[Path]) -> None:
    key = generate_sm4_key_file(tmp_path / "media.key")
    assert (tmp_path / "media.key").stat().st_mode & 0o777 == 0o600
    assert load_sm4_key(key_file=tmp_path / "media.key") == key
    assert load_sm4_key(key.hex()) == key
    enc, dec = tmp_path / "clip.enc", tmp_path / "clip.dec"
    encrypt_file(media[1], enc, key)
    assert is_encrypted(enc) and not is_encrypted(media[1])
    assert media[1].read_bytes()[:1000] not in enc.read_bytes()
    decrypt_file(enc, dec, key)
    assert dec.read_bytes() == media[1].read_bytes()
    dec.unlink()
    with pytest.raises(DecryptionError):
        decrypt_file(enc, dec, bytes(16))
    assert not dec.exists()  # nothing unauthenticated is left behind
    _flip(enc, 5000)
    with pytest.raises(DecryptionError):
        decrypt_file(enc, dec, key)
    with pytest.raises(ValueError, match="16 bytes"):
        load_sm4_key("abcd")
