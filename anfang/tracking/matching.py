"""Box overlap and optimal assignment for the tracker.

``lap`` (Jonker-Volgenant with a cost limit) is used when installed because it is what ByteTrack was tuned
with and is several times faster than scipy on the small, rectangular matrices of one frame; scipy's
Hungarian solver is the fallback so the core dependencies stay small.
"""

from __future__ import annotations

import numpy as np

try:  # optional accelerator
    import lap as _lap
except ImportError:  # pragma: no cover - exercised only without lap
    _lap = None

from scipy.optimize import linear_sum_assignment

_EMPTY = np.zeros(0, dtype=np.intp)


def iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(N, M) intersection over union of xyxy boxes ``a`` (N, 4) and ``b`` (M, 4)."""
    if len(a) == 0 or len(b) == 0:
        return np.zeros((len(a), len(b)))
    ix1 = np.maximum(a[:, None, 0], b[None, :, 0])
    iy1 = np.maximum(a[:, None, 1], b[None, :, 1])
    ix2 = np.minimum(a[:, None, 2], b[None, :, 2])
    iy2 = np.minimum(a[:, None, 3], b[None, :, 3])
    inter = np.clip(ix2 - ix1, 0, None) * np.clip(iy2 - iy1, 0, None)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    union = area_a[:, None] + area_b[None, :] - inter
    return inter / np.maximum(union, 1e-9)


def assign(cost: np.ndarray, thresh: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Minimum-cost matching keeping only pairs with ``cost <= thresh``.

    Returns ``(rows, cols, unmatched_rows, unmatched_cols)`` as index arrays.
    """
    n, m = cost.shape
    if n == 0 or m == 0:
        return _EMPTY, _EMPTY, np.arange(n), np.arange(m)
    if _lap is not None:
        _, x, _ = _lap.lapjv(cost, extend_cost=True, cost_limit=thresh)
        rows = np.flatnonzero(x >= 0)
        cols = x[rows].astype(np.intp)
    else:
        big = thresh + 1.0
        r, c = linear_sum_assignment(np.where(cost > thresh, big, cost))
        keep = cost[r, c] <= thresh
        rows, cols = r[keep], c[keep]
    um_rows = np.ones(n, bool)
    um_rows[rows] = False
    um_cols = np.ones(m, bool)
    um_cols[cols] = False
    return rows, cols, np.flatnonzero(um_rows), np.flatnonzero(um_cols)
