"""The client's durable delivery queue (``viid_spool``): a record is delivered upward at least once, in order.

Why a table rather than memory: a centre outage (or our own restart) must lose nothing. Rows are added in
the transaction that follows a record's commit, read oldest first, and deleted only after the upper has
acknowledged them; the upper's de-duplication by data ID makes the at-least-once delivery exactly once.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, delete, func, insert, select, update

from anfang.viid.tables import SpoolRow


@dataclass(frozen=True)
class Entry:
    seq: int
    target: str
    kind: str
    record_id: str
    attempts: int


class Spool:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, entries: Sequence[tuple[str, str, str]]) -> None:
        """Queue ``(target, kind, record_id)`` triples in one transaction (their order is kept)."""
        if not entries:
            return
        now = time.time()
        rows = [{"target": t, "kind": k, "record_id": r, "created_at": now, "attempts": 0, "parked": False}
                for t, k, r in entries]  # fmt: skip
        with self.engine.begin() as conn:
            conn.execute(insert(SpoolRow), rows)

    def head(self, limit: int) -> list[Entry]:
        """The oldest ``limit`` deliverable entries."""
        stmt = select(SpoolRow.seq, SpoolRow.target, SpoolRow.kind, SpoolRow.record_id, SpoolRow.attempts)
        stmt = stmt.where(SpoolRow.parked.is_(False)).order_by(SpoolRow.seq).limit(limit)
        with self.engine.connect() as conn:
            return [Entry(*r) for r in conn.execute(stmt)]

    def done(self, seqs: Sequence[int]) -> None:
        if seqs:
            with self.engine.begin() as conn:
                conn.execute(delete(SpoolRow).where(SpoolRow.seq.in_(list(seqs))))

    def failed(self, seqs: Sequence[int], error: str) -> None:
        """A delivery try that did not get through (the entries stay queued)."""
        if seqs:
            with self.engine.begin() as conn:
                conn.execute(update(SpoolRow).where(SpoolRow.seq.in_(list(seqs)))
                             .values(attempts=SpoolRow.attempts + 1, last_error=error[:512]))  # fmt: skip

    def park(self, seqs: Sequence[int], error: str) -> None:
        """Entries the upper refused for their content: kept (for an operator), no longer retried."""
        if seqs:
            with self.engine.begin() as conn:
                conn.execute(update(SpoolRow).where(SpoolRow.seq.in_(list(seqs)))
                             .values(parked=True, last_error=error[:512]))  # fmt: skip

    def count(self, parked: bool = False) -> int:
        with self.engine.connect() as conn:
            stmt = select(func.count()).select_from(SpoolRow).where(SpoolRow.parked.is_(parked))
            return int(conn.execute(stmt).scalar_one())
