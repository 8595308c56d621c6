"""Backup/restore into a fresh data dir, evidence export from the CLI, and the API over TLS."""

from __future__ import annotations

import datetime
import hashlib
import io
import ipaddress
import tarfile
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from anfang.cli import main
from anfang.security.evidence import verify_bundle
from tests.live_server import serve
from tests.security.api_fixtures import add_event, make_platform


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
    bad = tmp_path / "bad.tar.gz"
    with tarfile.open(archive) as tin, tarfile.open(bad, "w:gz") as tout:
        for m in tin.getmembers():
            data = tin.extractfile(m).read() if m.isfile() else None
            if m.name.endswith("_snapshot.jpg"):
                data = data[:-1] + bytes([data[-1] ^ 1])
            tout.addfile(m, None if data is None else io.BytesIO(data))
    assert main(["restore", str(bad), "--data-dir", str(tmp_path / "r")]) == 1


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
