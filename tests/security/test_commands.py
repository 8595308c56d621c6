"""The security sub-commands, driven through argparse like the main CLI does."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from sqlalchemy import create_engine, update

from anfang.cli.security import add_parser
from anfang.security.audit import AuditEntry, AuditLog
from anfang.security.evidence import export_bundle
from anfang.security.keys import KeyStore


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return int(args.func(args))


def test_keys_and_audit_verify(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = str(tmp_path)
    assert run(["keys", "show", "--data-dir", d]) == 1
    assert run(["keys", "generate", "--data-dir", d]) == 0
    assert run(["keys", "generate", "--data-dir", d]) == 2
    assert run(["keys", "rotate", "--data-dir", d]) == 0
    out = capsys.readouterr().out
    assert "rotated platform key" in out
    assert run(["audit", "verify", "--data-dir", d]) == 2  # no database yet

    engine = create_engine(f"sqlite:///{tmp_path / 'anfang.db'}")
    log = AuditLog(engine, KeyStore(tmp_path).signer())
    for i in range(5):
        log.append("admin", "config.edit", f"cam{i}", {"i": i})
    log.checkpoint()
    assert run(["audit", "verify", "--data-dir", d]) == 0
    with engine.begin() as conn:
        conn.execute(update(AuditEntry).where(AuditEntry.seq == 2).values(actor="someone"))
    capsys.readouterr()
    assert run(["audit", "verify", "--data-dir", d]) == 1
    assert "[edited] seq 2:" in capsys.readouterr().out


def test_evidence_verify(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = KeyStore(tmp_path)
    store.generate()
    f = tmp_path / "snap.jpg"
    f.write_bytes(b"jpeg" * 100)
    bundle = export_bundle([f], {"case": "x"}, tmp_path / "case.zip", store.signer())
    assert run(["evidence", "verify", str(bundle), "--trust", store.current_key_id() or ""]) == 0
    assert run(["evidence", "verify", str(bundle), "--trust", "0123456789abcdef"]) == 1
    assert "untrusted" in capsys.readouterr().out
