"""Tamper-evident audit log: a SM3 hash chain with SM2-signed checkpoints.

Each entry stores ``hash = SM3(canonical JSON of {seq, time, actor, action, target, detail, prev_hash})``,
so editing, deleting, inserting or moving any entry breaks either its own hash or the next entry's link.
A hash chain alone has no secret, though: someone who can rewrite the whole table can recompute every
hash. Checkpoints close that gap: every ``checkpoint_every`` entries (and on demand, e.g. at shutdown) the
head ``(seq, hash)`` is signed with the platform SM2 key, and a rewrite then disagrees with a signature
the attacker cannot forge.

Entries after the last checkpoint were protected by the chain only, so whoever could write the database
could append entries that verified. Each entry now also carries ``mac = HMAC-SM3(key, {seq, hash,
prev_hash})`` under a key kept *outside* the database (``<data_dir>/keys/audit.mac``). Because ``hash``
covers the content and ``prev_hash`` the link to the previous entry, the MACs authenticate the chain
itself: an appended, edited, inserted or renumbered entry has no valid MAC unless its writer holds the key.
Rows written before MACs existed (``mac`` NULL, all before the first MAC'd row) are counted as
"before MAC" and protected as before; a row without MAC *after* a MAC'd one is a problem.

The tables are in the store's one ``Base``; ``AuditBase.metadata`` holds copies of them alone, which
migration 0002_security (and ``AuditLog(create=True)``) create. ``verify`` reads with plain column
selects in batches, so a log of millions of rows verifies in bounded memory.
"""

from __future__ import annotations

import hmac as std_hmac
import json
import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from sqlalchemy import JSON, BigInteger, Float, Integer, String, delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Mapped, Session, mapped_column

from anfang.security.keys import Signer
from anfang.security.problems import Problem
from anfang.security.sm import sm3_hex, write_private_file
from anfang.store.db import Base, tables_metadata

log = logging.getLogger(__name__)

GENESIS = "0" * 64
_SEARCH_WINDOW = 64  # how far from its position verify looks for the seq a moved entry was written with
_Id = BigInteger().with_variant(Integer, "sqlite")  # SQLite wants INTEGER for rowid-style keys


class AuditEntry(Base):
    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(_Id, primary_key=True, autoincrement=False)  # PK: two writers can't share
    time: Mapped[float] = mapped_column(Float, nullable=False)  # epoch seconds
    actor: Mapped[str] = mapped_column(String(128), nullable=False)
    action: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    target: Mapped[str] = mapped_column(String(256), nullable=False)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False)
    # HMAC-SM3 under keys/audit.mac (migration security_0002_audit_mac); NULL for rows from before it
    mac: Mapped[str | None] = mapped_column(String(64), nullable=True)


class AuditCheckpoint(Base):
    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(_Id, primary_key=True, autoincrement=True)
    seq: Mapped[int] = mapped_column(_Id, nullable=False, index=True)  # last entry covered
    hash: Mapped[str] = mapped_column(String(64), nullable=False)  # that entry's hash (commits to all before)
    time: Mapped[float] = mapped_column(Float, nullable=False)
    key_id: Mapped[str] = mapped_column(String(16), nullable=False)
    signature: Mapped[str] = mapped_column(String(128), nullable=False)  # SM2 r||s hex


class AuditBase:
    """The two audit tables alone, as migration 0002_security creates them (no naming convention: the names
    they always had). Not an ORM base."""

    metadata = tables_metadata(AuditEntry.__table__, AuditCheckpoint.__table__)


@dataclass(frozen=True)
class AuditRecord:
    seq: int
    time: float
    actor: str
    action: str
    target: str
    detail: dict[str, Any]
    prev_hash: str
    hash: str


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no whitespace, UTF-8, no NaN: the same value always gives the same bytes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def entry_hash(seq: int, t: float, actor: str, action: str, target: str, detail: Any, prev_hash: str) -> str:
    doc = {
        "seq": seq,
        "time": t,
        "actor": actor,
        "action": action,
        "target": target,
        "detail": detail,
        "prev_hash": prev_hash,
    }
    return sm3_hex(canonical_json(doc))


MAC_KEY_SIZE = 32


def load_mac_key(path: Path, create: bool = True) -> bytes | None:
    """The audit MAC key (hex in a 0600 file outside the database); created when missing and ``create``."""
    if path.is_file():
        key = bytes.fromhex(path.read_text(encoding="utf-8").strip())
        if len(key) != MAC_KEY_SIZE:
            raise ValueError(f"{path}: the audit MAC key must be {MAC_KEY_SIZE} bytes")
        return key
    if not create:
        return None
    key = secrets.token_bytes(MAC_KEY_SIZE)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_private_file(path, key.hex() + "\n")
    return key


def entry_mac(key: bytes, seq: int, h: str, prev_hash: str) -> str:
    """HMAC-SM3 over the entry's place and hash (which covers its content and its link)."""
    mac = crypto_hmac.HMAC(key, hashes.SM3())
    mac.update(canonical_json({"type": "anfang-audit-mac-v1", "seq": seq, "hash": h, "prev_hash": prev_hash}))
    return mac.finalize().hex()


def checkpoint_payload(seq: int, head_hash: str, t: float, key_id: str) -> bytes:
    return canonical_json(
        {"type": "anfang-audit-checkpoint-v1", "seq": seq, "hash": head_hash, "time": t, "key_id": key_id}
    )


class AuditLog:
    """Append-only audit chain on ``engine``; creates its two tables if missing.

    ``append`` is serialised by a lock in this process and by the ``seq`` primary key across processes
    (a writer that loses the race retries on the next seq).
    """

    def __init__(
        self,
        engine: Engine,
        signer: Signer,
        *,
        checkpoint_every: int = 1000,
        clock: Callable[[], float] = time.time,
        create: bool = True,
        mac_key: bytes | None = None,
    ) -> None:
        self.engine = engine
        self.signer = signer
        self.mac_key = mac_key  # None: entries are written without MAC (and verify cannot check MACs)
        self.before_mac = 0  # set by verify: rows from before MACs (chain and checkpoints only)
        self.checkpoint_every = checkpoint_every
        self._clock = clock
        self._lock = threading.Lock()
        if create:
            AuditBase.metadata.create_all(engine)

    # ------------------------------------------------------------ writing

    def append(self, actor: str, action: str, target: str = "", detail: dict[str, Any] | None = None) -> AuditRecord:
        """Add one entry and return it. ``detail`` must be JSON-able; it is stored exactly as hashed."""
        detail = json.loads(canonical_json(detail or {}))  # normalise (tuples → lists ...) before hashing
        with self._lock:
            for _attempt in range(10):
                with Session(self.engine) as s:
                    head = s.execute(
                        select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
                    ).first()
                    seq, prev = (head[0] + 1, head[1]) if head else (1, GENESIS)
                    t = round(float(self._clock()), 6)
                    h = entry_hash(seq, t, actor, action, target, detail, prev)
                    s.add(
                        AuditEntry(
                            seq=seq,
                            time=t,
                            actor=actor,
                            action=action,
                            target=target,
                            detail=detail,
                            prev_hash=prev,
                            hash=h,
                            mac=entry_mac(self.mac_key, seq, h, prev) if self.mac_key is not None else None,
                        )
                    )
                    try:
                        s.commit()
                    except IntegrityError:
                        s.rollback()
                        continue  # another process appended this seq first
                record = AuditRecord(seq, t, actor, action, target, detail, prev, h)
                break
            else:
                raise RuntimeError("audit append lost the race 10 times in a row")
        if self.checkpoint_every and seq % self.checkpoint_every == 0:
            self.checkpoint()
        return record

    def checkpoint(self) -> AuditCheckpoint | None:
        """Sign the current head (idempotent: no new row if the head is already signed). ``None`` if empty."""
        with self._lock, Session(self.engine, expire_on_commit=False) as s:
            head = s.execute(select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)).first()
            if head is None:
                return None
            last = s.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(1)).first()
            if last is not None and last.seq == head[0] and last.hash == head[1]:
                return last
            t = round(float(self._clock()), 6)
            sig = self.signer.sign(checkpoint_payload(head[0], head[1], t, self.signer.key_id))
            cp = AuditCheckpoint(seq=head[0], hash=head[1], time=t, key_id=self.signer.key_id, signature=sig.hex())
            s.add(cp)
            s.commit()
            return cp

    def checkpoint_or_log(self, when: str) -> AuditCheckpoint | None:
        """:meth:`checkpoint`, but a database that cannot write (``database or disk is full``) is one log line,
        not an exception: a stop on a full disk must finish. The security component calls it at start too,
        so a head left unsigned by such a stop is signed at the next start."""
        try:
            return self.checkpoint()
        except OperationalError as err:
            log.error("audit: the head could not be signed at %s (%s); it is signed at the next start", when,
                      err.orig if err.orig is not None else err)
            return None

    def prune(self, before: float) -> int:
        """Retention: delete entries older than ``before`` up to the newest signed checkpoint among them.

        The chain stays verifiable because the kept checkpoint (seq, hash) anchors the first remaining
        entry's ``prev_hash``; returns how many entries were deleted.
        """
        self.checkpoint()
        with self._lock, Session(self.engine) as s:
            old = s.scalar(select(AuditEntry.seq).where(AuditEntry.time < before).order_by(AuditEntry.seq.desc()))
            if old is None:
                return 0
            anchor = s.scalars(
                select(AuditCheckpoint).where(AuditCheckpoint.seq <= old).order_by(AuditCheckpoint.seq.desc())
            ).first()
            if anchor is None:
                return 0
            n = s.connection().execute(delete(AuditEntry).where(AuditEntry.seq <= anchor.seq)).rowcount
            s.execute(delete(AuditCheckpoint).where(AuditCheckpoint.seq < anchor.seq))
            s.commit()
            return int(n or 0)

    # ------------------------------------------------------------ reading

    def entries(self, start: int = 1, limit: int = 100) -> list[AuditRecord]:
        with Session(self.engine) as s:
            rows = s.scalars(select(AuditEntry).where(AuditEntry.seq >= start).order_by(AuditEntry.seq).limit(limit))
            return [
                AuditRecord(r.seq, r.time, r.actor, r.action, r.target, r.detail, r.prev_hash, r.hash) for r in rows
            ]

    # ------------------------------------------------------------ verifying

    def verify(self) -> list[Problem]:
        """Every problem found, in seq order, then checkpoint problems; empty means intact."""
        problems: list[Problem] = []
        moved: list[tuple[int, int]] = []  # (seq it is at, seq it was written as)
        with Session(self.engine) as s:
            cps = list(s.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.id)))
            expect, prev_hash, prev_bad = 1, GENESIS, False
            first = s.execute(select(AuditEntry.seq, AuditEntry.prev_hash).order_by(AuditEntry.seq).limit(1)).first()
            if first is not None and first[0] > 1:
                base = [cp for cp in cps if cp.seq == first[0] - 1 and cp.hash == first[1]]
                if base and self._signed(base[0]):  # pruned by retention up to a signed checkpoint
                    expect, prev_hash = first[0], first[1]
                    cps = [cp for cp in cps if cp.seq >= first[0]]
            wanted = {cp.seq for cp in cps}
            seen_hash: dict[int, str] = {}
            cols = (
                AuditEntry.seq,
                AuditEntry.time,
                AuditEntry.actor,
                AuditEntry.action,
                AuditEntry.target,
                AuditEntry.detail,
                AuditEntry.prev_hash,
                AuditEntry.hash,
                AuditEntry.mac,
            )
            before_mac, macs_seen = 0, False
            result = s.execute(select(*cols).order_by(AuditEntry.seq).execution_options(yield_per=1000))
            for seq, t, actor, action, target, detail, link, h, mac in result:
                if mac is None and not macs_seen:
                    before_mac += 1
                elif mac is None:
                    problems.append(Problem("mac", "entry has no MAC although earlier ones have (appended or "
                                            "rewritten without the audit key)", seq=seq))  # fmt: skip
                else:
                    macs_seen = True  # without a key: reported once below
                    key = self.mac_key
                    if key is not None and not std_hmac.compare_digest(mac, entry_mac(key, seq, h, link)):
                        problems.append(Problem("mac", "MAC does not match (entry appended, edited or moved by "
                                                "someone without the audit key)", seq=seq))  # fmt: skip
                gap = seq != expect
                if gap:
                    problems.append(Problem("deleted", _missing(expect, seq - 1), seq=expect))
                bad = False
                if entry_hash(seq, t, actor, action, target, detail, link) != h:
                    bad = True
                    origin = _origin(seq, t, actor, action, target, detail, link, h)
                    if origin is None:
                        problems.append(Problem("edited", "content does not match its hash (entry edited)", seq=seq))
                    else:
                        moved.append((seq, origin))
                elif link != prev_hash and not gap and not prev_bad:
                    bad = True
                    problems.append(
                        Problem(
                            "broken_link",
                            f"prev_hash does not match entry {seq - 1}: entry {seq - 1} was replaced or this entry "
                            "was inserted",
                            seq=seq,
                        )
                    )
                if seq in wanted:
                    seen_hash[seq] = h
                expect, prev_hash, prev_bad = seq + 1, h, bad
            last_seq = expect - 1
        self.before_mac = before_mac
        if macs_seen and self.mac_key is None:
            problems.append(Problem("mac", "entries carry MACs but no audit MAC key (keys/audit.mac) was given"))
        problems.extend(_classify_moves(moved))
        problems.sort(key=lambda p: p.seq or 0)
        problems.extend(self._verify_checkpoints(cps, seen_hash, last_seq))
        return problems

    def _signed(self, cp: AuditCheckpoint) -> bool:
        try:
            sig = bytes.fromhex(cp.signature)
        except ValueError:
            return False
        return self.signer.verify(checkpoint_payload(cp.seq, cp.hash, cp.time, cp.key_id), sig, cp.key_id)

    def _verify_checkpoints(self, cps: list[AuditCheckpoint], seen: dict[int, str], last_seq: int) -> list[Problem]:
        out: list[Problem] = []
        for cp in cps:
            if not self.signer.knows(cp.key_id):
                out.append(
                    Problem("checkpoint", f"checkpoint {cp.id} is signed by unknown key {cp.key_id}", seq=cp.seq)
                )
                continue
            payload = checkpoint_payload(cp.seq, cp.hash, cp.time, cp.key_id)
            try:
                sig = bytes.fromhex(cp.signature)
            except ValueError:
                sig = b""
            if not self.signer.verify(payload, sig, cp.key_id):
                out.append(
                    Problem("checkpoint", f"checkpoint {cp.id}: bad signature (checkpoint row altered)", seq=cp.seq)
                )
            elif cp.seq > last_seq:
                out.append(
                    Problem(
                        "deleted",
                        f"checkpoint {cp.id} covers seq {cp.seq} but the log ends at "
                        f"{last_seq}: {_missing(last_seq + 1, cp.seq)}",
                        seq=cp.seq,
                    )
                )
            elif cp.seq not in seen:
                out.append(
                    Problem("deleted", f"checkpoint {cp.id} covers entry {cp.seq}, which is missing", seq=cp.seq)
                )
            elif seen[cp.seq] != cp.hash:
                out.append(
                    Problem(
                        "checkpoint",
                        f"checkpoint {cp.id}: entry {cp.seq} differs from the signed head "
                        "(the chain up to it was rewritten)",
                        seq=cp.seq,
                    )
                )
        return out


def _missing(first: int, last: int) -> str:
    return f"entry {first} is missing (deleted)" if first == last else f"entries {first}..{last} are missing (deleted)"


def _origin(seq: int, t: float, actor: str, action: str, target: str, detail: Any, link: str, h: str) -> int | None:
    """The seq this entry was originally written with, if it is nearby: tells "moved" apart from "edited"."""
    for delta in range(1, _SEARCH_WINDOW + 1):
        for cand in (seq - delta, seq + delta):
            if cand >= 1 and entry_hash(cand, t, actor, action, target, detail, link) == h:
                return cand
    return None


def _classify_moves(moved: list[tuple[int, int]]) -> list[Problem]:
    """A run of entries all shifted by +d means d entries were inserted before it (and the rest renumbered);
    -d means deletions hidden by renumbering; a lone moved entry means reordering (e.g. two rows swapped)."""
    out: list[Problem] = []
    i = 0
    while i < len(moved):
        j = i
        d = moved[i][0] - moved[i][1]
        while j + 1 < len(moved) and moved[j + 1][0] == moved[j][0] + 1 and moved[j + 1][0] - moved[j + 1][1] == d:
            j += 1
        first, last = moved[i][0], moved[j][0]
        if j > i and d > 0:
            out.append(
                Problem(
                    "inserted",
                    f"entries {first}..{last} were written as {first - d}..{last - d}: "
                    f"{d} entr{'y' if d == 1 else 'ies'} inserted before seq {first}",
                    seq=first,
                )
            )
        elif j > i:
            out.append(
                Problem(
                    "deleted",
                    f"entries {first}..{last} were written as {first - d}..{last - d}: "
                    f"{-d} entr{'y' if d == -1 else 'ies'} deleted before seq {first} and the rest "
                    "renumbered",
                    seq=first,
                )
            )
        else:
            for seq, origin in moved[i : j + 1]:
                out.append(
                    Problem("reordered", f"holds the entry written as seq {origin} (entries reordered)", seq=seq)
                )
        i = j + 1
    return out
