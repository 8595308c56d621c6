"""Vectorised 2-D geometry for zones and lines, in image pixels (x right, y *down*).

Every function takes all anchors of a frame at once, so rule evaluation costs a few numpy calls per zone or
line whatever the number of objects.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

PointLike = Sequence[float] | np.ndarray


def points_in_polygon(points: np.ndarray, polygon: np.ndarray | Sequence[PointLike]) -> np.ndarray:
    """(N,) bool: is each of the (N, 2) ``points`` inside ``polygon`` (M, 2)? Even-odd rule, any winding.

    Points exactly on an edge may fall either way; zones are drawn by hand, so a pixel does not matter.
    """
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    poly = np.asarray(polygon, dtype=np.float64).reshape(-1, 2)
    if len(pts) == 0:
        return np.zeros(0, bool)
    x, y = pts[:, 0:1], pts[:, 1:2]  # (N, 1) against (M,) edges
    x1, y1 = poly[:, 0], poly[:, 1]
    x2, y2 = np.roll(x1, -1), np.roll(y1, -1)
    straddles = (y1 > y) != (y2 > y)  # edge spans the horizontal ray's y
    with np.errstate(divide="ignore", invalid="ignore"):
        x_cross = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
    hits = straddles & (x < x_cross)
    return (np.count_nonzero(hits, axis=1) % 2) == 1


def side_of_line(points: np.ndarray, a: PointLike, b: PointLike) -> np.ndarray:
    """(N,) signed distance in pixels of each point from the infinite line a→b.

    Positive = to the *right* of a→b as seen on screen (y down): for a line drawn left to right, below it.
    """
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    ax, ay = float(a[0]), float(a[1])
    dx, dy = float(b[0]) - ax, float(b[1]) - ay
    return (dx * (pts[:, 1] - ay) - dy * (pts[:, 0] - ax)) / np.hypot(dx, dy)


def within_segment_extent(points: np.ndarray, a: PointLike, b: PointLike) -> np.ndarray:
    """(N,) bool: does each point project onto the segment a–b (between the perpendiculars at a and b)?

    Crossing counts only there, so a line across a doorway ignores people walking past the wall beside it.
    """
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    ax, ay = float(a[0]), float(a[1])
    dx, dy = float(b[0]) - ax, float(b[1]) - ay
    t = ((pts[:, 0] - ax) * dx + (pts[:, 1] - ay) * dy) / (dx * dx + dy * dy)
    return (t >= 0.0) & (t <= 1.0)


def segments_intersect(p1: np.ndarray, p2: np.ndarray, q1: PointLike, q2: PointLike) -> np.ndarray:
    """(N,) bool: does each segment p1[i]–p2[i] intersect the segment q1–q2 (touching counts)?

    Useful to catch a fast object whose anchor jumps across a line between two updates.
    """
    p1 = np.asarray(p1, dtype=np.float64).reshape(-1, 2)
    p2 = np.asarray(p2, dtype=np.float64).reshape(-1, 2)
    q1a = np.asarray(q1, dtype=np.float64)
    q2a = np.asarray(q2, dtype=np.float64)

    def orient(o: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        du, dv = u - o, v - o
        return np.sign(du[..., 0] * dv[..., 1] - du[..., 1] * dv[..., 0])

    def on_segment(o: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        """u lies in the bounding box of o–v (only asked when the three are collinear)."""
        return (
            (np.minimum(o[..., 0], v[..., 0]) <= u[..., 0])
            & (u[..., 0] <= np.maximum(o[..., 0], v[..., 0]))
            & (np.minimum(o[..., 1], v[..., 1]) <= u[..., 1])
            & (u[..., 1] <= np.maximum(o[..., 1], v[..., 1]))
        )

    qa = np.broadcast_to(q1a, p1.shape)
    qb = np.broadcast_to(q2a, p1.shape)
    d1, d2 = orient(qa, qb, p1), orient(qa, qb, p2)
    d3, d4 = orient(p1, p2, qa), orient(p1, p2, qb)
    proper = (d1 * d2 < 0) & (d3 * d4 < 0)
    touching = (
        ((d1 == 0) & on_segment(qa, p1, qb))
        | ((d2 == 0) & on_segment(qa, p2, qb))
        | ((d3 == 0) & on_segment(p1, qa, p2))
        | ((d4 == 0) & on_segment(p1, qb, p2))
    )
    return proper | touching
