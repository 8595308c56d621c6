"""In-memory deletion index for fuzzy plate search (symmetric delete, as in SymSpell).

Why: the SQL prefilter for fuzzy search (pigeonhole pieces, ``GLOB '*piece*'``) keeps thousands of plates for a
7-character query and each then costs a Python edit-distance table — 1.28 s p50 at 50k plates. Here each
distinct stored plate is reduced to a *key* and every variant of the key with up to ``depth`` characters
deleted is hashed into a lookup table; a query generates its own deletion variants and only plates sharing a
variant are verified with the exact weighted distance (:func:`~anfang.search.plates.plate_distance`).

Soundness with weighted costs: the key maps every OCR-confusable group to one representative (the groups are
merged transitively, e.g. 0/D/Q/O/U/V), so confusable substitutions vanish from the key. Any other edit
costs 1, so ``plate_distance(q, p) <= d`` implies the keys are within ``floor(d)`` plain edits, and two strings
within ``e`` edits always share a variant with ``<= e`` deletions on each side. ``depth`` 1 therefore answers
every ``max_distance < 2`` exactly (the API default is 1); deeper queries and wildcard queries go back to the
SQL path (:meth:`PlateIndex.covers` says which).

Memory: variant hashes live in sorted numpy arrays (8-byte hash + 4-byte plate number per variant, ~8 variants
per 7-character plate) plus one Python string and dict entry per distinct plate; inserts go to a small dict
that is merged into the arrays when it grows (bench_records measures the total).
A hash collision only adds a candidate; verification removes it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

import numpy as np

from anfang.search.plates import _GROUPS, normalise_plate, plate_distance

MERGE_AT = 50_000  # pending variant hashes before they are merged into the sorted arrays


def _canonical_map() -> dict[str, str]:
    """Confusable groups merged transitively (union-find), each member mapped to its group's smallest char."""
    parent: dict[str, str] = {}

    def find(c: str) -> str:
        while parent.setdefault(c, c) != c:
            c = parent[c]
        return c

    for group in _GROUPS:
        for c in group[1:]:
            a, b = find(group[0]), find(c)
            if a != b:
                parent[max(a, b)] = min(a, b)
    return {c: find(c) for c in parent if find(c) != c}


_KEY_TABLE = str.maketrans(_canonical_map())


def plate_key(norm: str) -> str:
    """The plate with every confusable character replaced by its group representative."""
    return norm.translate(_KEY_TABLE)


def deletion_variants(key: str, depth: int) -> set[str]:
    """``key`` and every string made by deleting 1..depth of its characters."""
    out = level = {key}
    for _ in range(depth):  # each level deletes one more character from the previous one (slices, no joins)
        level = {v[:i] + v[i + 1 :] for v in level for i in range(len(v))}
        out = out | level
    return out


def _hashes(key: str, depth: int) -> np.ndarray:
    return np.fromiter((hash(v) for v in deletion_variants(key, depth)), np.int64)


class PlateIndex:
    """Distinct normalised plates → deletion-variant hashes; thread-safe ``add``/``discard``/``search``."""

    def __init__(self, depth: int = 1) -> None:
        self.depth = depth
        self._lock = threading.Lock()
        self._plates: list[str] = []  # plate number → normalised plate
        self._number: dict[str, int] = {}
        self._alive = np.zeros(0, bool)
        self._keys = np.zeros(0, np.int64)  # sorted variant hashes
        self._owners = np.zeros(0, np.int32)  # plate number of each hash
        self._pending: dict[int, list[int]] = {}
        self._pending_n = 0

    def __len__(self) -> int:
        return int(self._alive.sum())

    def __contains__(self, plate: str) -> bool:
        n = self._number.get(normalise_plate(plate))
        return n is not None and bool(self._alive[n])

    def covers(self, query: str, max_distance: float) -> bool:
        """Whether :meth:`search` is exact for this query (else use the SQL prefilter)."""
        q = normalise_plate(query)
        return bool(q) and "*" not in q and "?" not in q and int(max_distance + 1e-9) <= self.depth

    def add(self, plates: Iterable[str]) -> int:
        """Index plates (normalised or not); returns how many were new or revived."""
        added = 0
        with self._lock:
            new: list[str] = []
            for plate in plates:
                norm = normalise_plate(plate)
                n = self._number.get(norm)
                if n is not None and n >= len(self._alive):
                    continue  # repeated within this call
                if n is None:
                    self._number[norm] = len(self._plates) + len(new)
                    new.append(norm)
                elif not self._alive[n]:
                    self._alive[n] = True
                    added += 1
            if not new:
                return added
            first = len(self._plates)
            self._plates.extend(new)
            self._alive = np.concatenate([self._alive, np.ones(len(new), bool)])
            if len(new) > MERGE_AT // 4:  # bulk load: straight into the arrays
                parts = [_hashes(plate_key(p), self.depth) for p in new]
                owners = np.repeat(np.arange(first, first + len(new), dtype=np.int32), [len(h) for h in parts])
                self._merge(np.concatenate(parts), owners)
            else:
                for i, norm in enumerate(new, first):
                    for h in _hashes(plate_key(norm), self.depth).tolist():
                        self._pending.setdefault(h, []).append(i)
                        self._pending_n += 1
                if self._pending_n >= MERGE_AT:
                    self._merge_pending()
            return added + len(new)

    def discard(self, plates: Iterable[str]) -> None:
        """Mark plates gone (no record carries them any more); their variants stay until a plate returns."""
        with self._lock:
            for plate in plates:
                n = self._number.get(normalise_plate(plate))
                if n is not None:
                    self._alive[n] = False

    def _merge_pending(self) -> None:
        hashes = np.fromiter((h for h, owners in self._pending.items() for _ in owners), np.int64, self._pending_n)
        owners = np.fromiter((o for os_ in self._pending.values() for o in os_), np.int32, self._pending_n)
        self._pending, self._pending_n = {}, 0
        self._merge(hashes, owners)

    def _merge(self, hashes: np.ndarray, owners: np.ndarray) -> None:
        """Sort only the new hashes and splice them in: one linear copy instead of re-sorting millions."""
        order = np.argsort(hashes, kind="stable")
        hashes, owners = hashes[order], owners[order]
        at = np.searchsorted(self._keys, hashes, "right")
        self._keys, self._owners = np.insert(self._keys, at, hashes), np.insert(self._owners, at, owners)

    def candidates(self, query: str) -> list[str]:
        """Live plates sharing a deletion variant with the query (a superset of the matches)."""
        hashes = _hashes(plate_key(normalise_plate(query)), self.depth)
        with self._lock:
            lo = np.searchsorted(self._keys, hashes, "left")
            hi = np.searchsorted(self._keys, hashes, "right")
            found = {int(o) for a, b in zip(lo.tolist(), hi.tolist(), strict=True) if b > a for o in self._owners[a:b]}
            for h in hashes.tolist():
                found.update(self._pending.get(h, ()))
            return [self._plates[n] for n in found if self._alive[n]]

    def search(self, query: str, max_distance: float = 1.0) -> list[tuple[str, float]]:
        """``(normalised plate, distance)`` for every live plate within ``max_distance``, nearest first."""
        q = normalise_plate(query)
        out = [(p, d) for p in self.candidates(q) if (d := plate_distance(q, p)) <= max_distance]
        out.sort(key=lambda item: (item[1], item[0]))
        return out
