"""Issue 15.8b: an entry appended after the last signed checkpoint by someone who can write the database.

On main the attacker recomputed the SM3 chain for the forged entry and ``audit verify`` said "intact" (no
checkpoint covers it). With a MAC per entry under keys/audit.mac (outside the database) it is detected.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from sqlalchemy import create_engine, insert, select, update

from anfang.cli.security import add_parser
from anfang.security.audit import AuditEntry, AuditLog, entry_hash, load_mac_key
from anfang.security.keys import KeyStore
from anfang.store.migrate import upgrade


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return int(args.func(args))


def _forge_append(engine, actor: str = "intruder") -> int:  # type: ignore[no-untyped-def]
    """What a database writer can do: a new entry with a correct SM3 hash and link (no MAC key)."""
    with engine.begin() as conn:
        seq, prev = conn.execute(select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc())).first()
        t, detail = 2e9, {"forged": True}
        h = entry_hash(seq + 1, t, actor, "user.create", "backdoor", detail, prev)
        conn.execute(insert(AuditEntry).values(seq=seq + 1, time=t, actor=actor, action="user.create",
                                                target="backdoor", detail=detail, prev_hash=prev, hash=h))  # fmt: skip
    return int(seq + 1)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    KeyStore(tmp_path).generate()
    return tmp_path


def test_appended_entry_is_detected(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    engine = create_engine(f"sqlite:///{data_dir / 'anfang.db'}")
    upgrade(engine)  # the real migrations, security_0002_audit_mac included
    key = load_mac_key(data_dir / "keys" / "audit.mac")
    assert key is not None and (data_dir / "keys" / "audit.mac").stat().st_mode & 0o077 == 0
    log = AuditLog(engine, KeyStore(data_dir).signer(), mac_key=key)
    for i in range(4):
        log.append("admin", "config.edit", f"cam{i}")
    log.checkpoint()
    log.append("admin", "config.edit", "after-checkpoint")
    assert log.verify() == [] and log.before_mac == 0
    assert run(["audit", "verify", "--data-dir", str(data_dir)]) == 0

    seq = _forge_append(engine)
    problems = log.verify()
    assert [(p.kind, p.seq) for p in problems] == [("mac", seq)]
    capsys.readouterr()
    assert run(["audit", "verify", "--data-dir", str(data_dir)]) == 1
    assert f"[mac] seq {seq}:" in capsys.readouterr().out

    with engine.begin() as conn:  # a forged MAC does not help either
        conn.execute(update(AuditEntry).where(AuditEntry.seq == seq).values(mac="00" * 32))
    assert [(p.kind, p.seq) for p in log.verify()] == [("mac", seq)]


def test_rows_from_before_mac_are_reported_not_failed(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    engine = create_engine(f"sqlite:///{data_dir / 'anfang.db'}")
    upgrade(engine)
    old = AuditLog(engine, KeyStore(data_dir).signer())  # an older platform: no MAC key
    for i in range(3):
        old.append("admin", "config.edit", f"old{i}")
    new = AuditLog(engine, KeyStore(data_dir).signer(), mac_key=load_mac_key(data_dir / "keys" / "audit.mac"))
    new.append("admin", "config.edit", "new")
    assert new.verify() == [] and new.before_mac == 3
    assert run(["audit", "verify", "--data-dir", str(data_dir)]) == 0
    assert "3 entries before MAC" in capsys.readouterr().out
    old.append("intruder", "config.edit", "no-mac-after-mac")  # written without the key after MACs began
    assert [p.kind for p in new.verify()] == ["mac"]
