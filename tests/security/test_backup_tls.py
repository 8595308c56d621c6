"""Backup/restore into a fresh data dir, evidence export from the CLI, and the API over TLS."""

from __future__ import annotations

import datetime
import hashlib
import io
import ipaddress
import json
import tarfile
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from anfang.cli import main
from anfang.security.backup import PASSPHRASE_ENV, decrypt_archive, encrypt_archive
from anfang.security.evidence import verify_bundle
from tests.live_server import serve
from tests.security.api_fixtures import add_event, make_platform

PASS = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _passphrase(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSPHRASE_ENV, PASS)  # the documented way to hand cron jobs the passphrase


def test_backup_restore_into_fresh_data_dir(tmp_path: Path) -> None:
    src = tmp_path / "src"
    p = make_platform(src)
    events = [add_event(p, track_id=i) for i in range(3)]
    p.users.create("carol", "carol-password-1", "operator", cameras=["cam1"])
    p.audit.append("carol", "test.action", "x")
    p.stop()
    snap = p.events.media_path(events[0].snapshot_path)
    digest = hashlib.sha256(snap.read_bytes()).hexdigest()

    archive = tmp_path / "backup.tar.gz"
    assert main(["backup", "--data-dir", str(src), "-o", str(archive)]) == 0
    assert archive.stat().st_mode & 0o077 == 0
    dst = tmp_path / "restored"
    assert main(["restore", str(archive), "--data-dir", str(dst)]) == 0
    assert main(["restore", str(archive), "--data-dir", str(dst)]) == 2  # never over existing data

    q = make_platform(dst)
    try:
        assert {q.events.get(e.id).track_id for e in events} == {0, 1, 2}
        user = q.users.get("carol")
        assert user is not None and user.cameras == ["cam1"]
        assert q.audit.verify() == []
        assert "test.action" in [e.action for e in q.audit.entries(1, 100)]
        restored = q.events.media_path(events[0].snapshot_path)
        assert hashlib.sha256(restored.read_bytes()).hexdigest() == digest
        assert q.keys.current_key_id() == p.keys.current_key_id()
    finally:
        q.stop()


def test_restore_reports_a_damaged_file(tmp_path: Path) -> None:
    p = make_platform(tmp_path / "src")
    add_event(p)
    p.stop()
    archive = tmp_path / "b.tar.gz"
    assert main(["backup", "--data-dir", str(tmp_path / "src"), "-o", str(archive)]) == 0
    clear, bad_clear, bad = tmp_path / "clear.tar.gz", tmp_path / "bad-clear.tar.gz", tmp_path / "bad.tar.gz"
    decrypt_archive(archive, clear, PASS)  # someone holding the passphrase edits a file inside the archive
    with tarfile.open(clear) as tin, tarfile.open(bad_clear, "w:gz") as tout:
        for m in tin.getmembers():
            data = tin.extractfile(m).read() if m.isfile() else None
            if m.name.endswith("_snapshot.jpg"):
                data = data[:-1] + bytes([data[-1] ^ 1])
            tout.addfile(m, None if data is None else io.BytesIO(data))
    encrypt_archive(bad_clear, bad, PASS)
    assert main(["restore", str(bad), "--data-dir", str(tmp_path / "r")]) == 1


def test_backup_is_unreadable_without_its_passphrase(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 15.8a: on main the archive was a plain tar.gz holding the private key and the media key."""
    src = tmp_path / "src"
    p = make_platform(src, encrypt_media=True)
    add_event(p)
    p.stop()
    secrets_on_disk = [
        (src / "keys" / "media.sm4").read_text().strip().encode(),
        *[json.loads(f.read_text())["private_key"].encode() for f in (src / "keys" / "platform").glob("*.key.json")],
    ]
    assert len(secrets_on_disk) >= 2
    archive = tmp_path / "b.tar.gz"
    pfile = tmp_path / "pass.txt"
    pfile.write_text("another passphrase\n")
    monkeypatch.delenv(PASSPHRASE_ENV)
    assert main(["backup", "--data-dir", str(src), "-o", str(archive)]) == 2  # no passphrase: no backup
    assert "passphrase" in capsys.readouterr().err and not archive.exists()
    assert main(["backup", "--data-dir", str(src), "-o", str(archive), "--passphrase-file", str(pfile)]) == 0
    blob = archive.read_bytes()
    for secret in secrets_on_disk:
        assert secret not in blob
    with pytest.raises(tarfile.ReadError):
        tarfile.open(archive).close()

    monkeypatch.setenv(PASSPHRASE_ENV, "wrong passphrase")
    assert main(["restore", str(archive), "--data-dir", str(tmp_path / "r1")]) == 1
    assert "wrong passphrase" in capsys.readouterr().err
    assert not (tmp_path / "r1").exists()  # nothing unpacked
    for offset in (20, len(blob) // 2, len(blob) - 1):  # salt, ciphertext, tag
        bad = tmp_path / f"bad{offset}.tar.gz"
        bad.write_bytes(blob[:offset] + bytes([blob[offset] ^ 1]) + blob[offset + 1 :])
        assert main(["restore", str(bad), "--data-dir", str(tmp_path / "r2"), "--passphrase-file", str(pfile)]) == 1
        assert not (tmp_path / "r2").exists()
    assert main(["restore", str(archive), "--data-dir", str(tmp_path / "r3"), "--passphrase-file", str(pfile)]) == 0


def test_evidence_export_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = make_platform(tmp_path / "d", encrypt_media=True)
    event = add_event(p)
    p.stop()
    out = tmp_path / "e.zip"
    assert main(["evidence", "export", event.id, "--data-dir", str(tmp_path / "d"), "-o", str(out)]) == 0
    assert verify_bundle(out) == []
    assert main(["evidence", "export", "nope", "--data-dir", str(tmp_path / "d"), "-o", str(tmp_path / "x.zip")]) == 1


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def test_api_over_tls(tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    p = make_platform(tmp_path / "d")
    p.config.api.tls_cert, p.config.api.tls_key = cert, key
    try:
        with serve(p) as base_url:
            assert base_url.startswith("https://")
            with httpx.Client(verify=str(cert)) as c:
                assert c.get(f"{base_url}/api/health").json()["status"] == "ok"
                r = c.post(f"{base_url}/api/auth/login", json={"username": "admin", "password": "x"})
                assert r.status_code == 401
            with pytest.raises(httpx.HTTPError):
                httpx.get(f"http://{base_url.removeprefix('https://')}/api/health", timeout=5)  # no plain HTTP
    finally:
        p.stop()
