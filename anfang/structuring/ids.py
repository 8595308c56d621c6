"""Record ids that sort by creation time: 48-bit Unix milliseconds + 80 random bits, 32 lower-case hex digits.

Why not ``uuid4().hex``: the id is the primary key, and SQLite keeps a unique B-tree on it. Random keys land
on a random leaf page each, so once the index outgrows the page cache every insert reads and dirties a
different page (bench_records: ingest fell from ~22k to ~13k rows/s between 20k and 200k rows). Time-ordered
keys are appended to the right-most leaf instead. The format stays 32 hex characters in the same
``String(64)`` column, so old random ids and new ones live side by side and nothing that stores, prints or
parses an id changes. Ids made in the same millisecond by this process increase by one in the random part
(monotonic, like ULID), so a batch built in one millisecond is still strictly ordered.
"""

from __future__ import annotations

import os
import threading
import time

_RANDOM_BITS = 80
_RANDOM_MAX = (1 << _RANDOM_BITS) - 1
_lock = threading.Lock()
_last_ms = 0
_last_random = 0


def new_record_id(now_ms: int | None = None) -> str:
    """A fresh id, greater than every id this process made before (clock steps back: keeps the last ms)."""
    global _last_ms, _last_random
    ms = int(time.time() * 1000) if now_ms is None else now_ms
    with _lock:
        if ms <= _last_ms:
            ms, rnd = _last_ms, _last_random + 1
            if rnd > _RANDOM_MAX:  # 2^80 ids in one millisecond: move to the next one
                ms, rnd = ms + 1, int.from_bytes(os.urandom(10), "big") >> 1
        else:
            rnd = int.from_bytes(os.urandom(10), "big") >> 1  # top bit clear: room to count up within the ms
        _last_ms, _last_random = ms, rnd
    return f"{ms & 0xFFFF_FFFF_FFFF:012x}{rnd:020x}"
