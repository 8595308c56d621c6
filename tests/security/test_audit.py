"""Audit chain: intact logs verify clean; every kind of tampering is found and named by seq."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import create_engine, delete, text, update
from sqlalchemy.engine import Engine

from anfang.security.audit import AuditCheckpoint, AuditEntry, AuditLog, entry_hash
from anfang.security.keys import KeyStore, Signer
from anfang.security.sm import generate_sm2_keypair


@pytest.fixture(scope="module")
def signer() -> Signer:
    return Signer(generate_sm2_keypair())


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    return create_engine(f"sqlite:///{tmp_path / 'audit.db'}")


def _filled(engine: Engine, signer: Signer, n: int = 10, every: int = 0) -> AuditLog:
    log = AuditLog(engine, signer, checkpoint_every=every, clock=iter(range(1000, 2000)).__next__)
    for i in range(1, n + 1):
        log.append("admin", "camera.update", f"cam{i}", {"i": i, "changes": {"name": [f"old{i}", f"new{i}"]}})
    return log


def _exec(engine: Engine, stmt) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as conn:
        conn.execute(stmt)


def test_intact_log_verifies(engine: Engine, signer: Signer) -> None:
    log = _filled(engine, signer, 25, every=10)
    log.checkpoint()
    assert log.verify() == []
    entries = log.entries(1, 100)
    assert [e.seq for e in entries] == list(range(1, 26))
    assert entries[0].prev_hash == "0" * 64
    assert all(b.prev_hash == a.hash for a, b in zip(entries, entries[1:], strict=False))
    with engine.connect() as conn:
        assert [r[0] for r in conn.execute(text("select seq from audit_checkpoints order by id"))] == [10, 20, 25]


def test_checkpoint_is_idempotent(engine: Engine, signer: Signer) -> None:
    log = _filled(engine, signer, 3)
    a, b = log.checkpoint(), log.checkpoint()
    assert a is not None and b is not None and a.id == b.id


def test_edited_detail_is_named(engine: Engine, signer: Signer) -> None:
    log = _filled(engine, signer)
    _exec(engine, update(AuditEntry).where(AuditEntry.seq == 4).values(detail={"i": 4, "changes": {}}))
    problems = log.verify()
    assert [(p.kind, p.seq) for p in problems] == [("edited", 4)]


def test_deleted_entry_is_named(engine: Engine, signer: Signer) -> None:
    log = _filled(engine, signer)
    _exec(engine, delete(AuditEntry).where(AuditEntry.seq == 6))
    problems = log.verify()
    assert [(p.kind, p.seq) for p in problems] == [("deleted", 6)]
    assert "entry 6 is missing" in problems[0].message


def test_deleted_tail_is_caught_by_checkpoint(engine: Engine, signer: Signer) -> None:
    log = _filled(engine, signer)
    log.checkpoint()
    _exec(engine, delete(AuditEntry).where(AuditEntry.seq >= 9))
    problems = log.verify()
    assert [(p.kind, p.seq) for p in problems] == [("deleted", 10)]
    assert "entries 9..10 are missing" in problems[0].message


def test_swapped_entries_are_named(engine: Engine, signer: Signer) -> None:
    log = _filled(engine, signer)
    with engine.begin() as conn:  # swap all content of rows 3 and 7, keeping the seq column
        rows = {r.seq: r for r in conn.execute(AuditEntry.__table__.select().where(AuditEntry.seq.in_([3, 7])))}
        for a, b in ((3, 7), (7, 3)):
            src = rows[b]
            conn.execute(
                update(AuditEntry)
                .where(AuditEntry.seq == a)
                .values(
                    time=src.time,
                    actor=src.actor,
                    action=src.action,
                    target=src.target,
                    detail=src.detail,
                    prev_hash=src.prev_hash,
                    hash=src.hash,
                )
            )
    problems = log.verify()
    assert [(p.kind, p.seq) for p in problems] == [("reordered", 3), ("reordered", 7)]
    assert "written as seq 7" in problems[0].message


def test_inserted_entry_with_renumbering_is_named(engine: Engine, signer: Signer) -> None:
    log = _filled(engine, signer)
    # shift 5..10 up by one (from the top to respect the primary key) and forge a well-formed entry at 5
    for seq in range(10, 4, -1):
        _exec(engine, update(AuditEntry).where(AuditEntry.seq == seq).values(seq=seq + 1))
    prev = log.entries(4, 1)[0].hash
    h = entry_hash(5, 1004.5, "mallory", "camera.delete", "cam9", {}, prev)
    _exec(
        engine,
        AuditEntry.__table__.insert().values(
            seq=5,
            time=1004.5,
            actor="mallory",
            action="camera.delete",
            target="cam9",
            detail={},
            prev_hash=prev,
            hash=h,
        ),
    )
    problems = log.verify()
    assert [(p.kind, p.seq) for p in problems] == [("inserted", 6)]
    assert "1 entry inserted before seq 6" in problems[0].message


def test_rewritten_chain_fails_checkpoint(engine: Engine, signer: Signer) -> None:
    log = _filled(engine, signer, 5)
    log.checkpoint()
    # an attacker rewrites entry 3 and recomputes every later hash: the chain is consistent again...
    prev = log.entries(2, 1)[0].hash
    for e in log.entries(3, 10):
        detail = {"forged": True} if e.seq == 3 else e.detail
        h = entry_hash(e.seq, e.time, e.actor, e.action, e.target, detail, prev)
        _exec(engine, update(AuditEntry).where(AuditEntry.seq == e.seq).values(detail=detail, prev_hash=prev, hash=h))
        prev = h
    problems = log.verify()  # ...but the signed checkpoint disagrees
    assert [(p.kind, p.seq) for p in problems] == [("checkpoint", 5)]
    assert "rewritten" in problems[0].message


def test_broken_checkpoint_signature_is_named(engine: Engine, signer: Signer) -> None:
    log = _filled(engine, signer, 5)
    cp = log.checkpoint()
    assert cp is not None
    sig = bytearray(bytes.fromhex(cp.signature))
    sig[40] ^= 1
    _exec(engine, update(AuditCheckpoint).where(AuditCheckpoint.id == cp.id).values(signature=sig.hex()))
    problems = log.verify()
    assert [(p.kind, p.seq) for p in problems] == [("checkpoint", 5)]
    assert "bad signature" in problems[0].message


def test_checkpoint_by_unknown_key(engine: Engine, signer: Signer) -> None:
    _filled(engine, signer, 3).checkpoint()
    other = AuditLog(engine, Signer(generate_sm2_keypair()))
    assert [p.kind for p in other.verify()] == ["checkpoint"]
    assert "unknown key" in other.verify()[0].message


def test_old_checkpoints_verify_after_rotation(tmp_path: Path, engine: Engine) -> None:
    store = KeyStore(tmp_path)
    store.generate()
    log = AuditLog(engine, store.signer())
    log.append("admin", "login", "admin")
    log.checkpoint()
    store.rotate()
    log2 = AuditLog(engine, store.signer())
    log2.append("admin", "logout", "admin")
    log2.checkpoint()
    assert log2.verify() == []


def test_concurrent_appends_form_one_chain(engine: Engine, signer: Signer) -> None:
    log = AuditLog(engine, signer, checkpoint_every=0)

    def worker(n: int) -> None:
        for i in range(15):
            log.append(f"user{n}", "view", f"event{i}")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [e.seq for e in log.entries(1, 1000)] == list(range(1, 61))
    assert log.verify() == []
