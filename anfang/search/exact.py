"""Exact (brute-force) cosine scans: small filtered sets and the index's pending tail.

A matrix product over a contiguous block of unit vectors is exact and, for a few thousand 512-d rows,
faster than a graph walk (see :mod:`anfang.search.index`).
"""

from __future__ import annotations

import numpy as np


def top_k(sims: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions and values of the ``k`` largest entries, best first."""
    top = np.argsort(-sims)[:k] if len(sims) <= k else np.argpartition(-sims, k)[:k]
    top = top[np.argsort(-sims[top])]
    return top, sims[top]


def scan_rows(vectors: np.ndarray, rows: np.ndarray, q: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(row numbers, similarities) of the ``k`` best of ``rows``, best first."""
    labels, scores = top_k(vectors[rows] @ q, k)
    return rows[labels], scores


def scan_tail(
    vectors: np.ndarray, start: int, stop: int, keep: np.ndarray | None, q: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """(row numbers, similarities) of the ``k`` best rows in [start, stop) that ``keep`` allows (None = all).

    One contiguous matrix product over the block; rows ``keep`` excludes never appear in the result.
    """
    sims = vectors[start:stop] @ q
    if keep is not None:
        sims = np.where(keep[start:stop], sims, -np.inf)
    top, sc = top_k(sims, k)
    ok = np.isfinite(sc)
    return top[ok] + start, sc[ok]
