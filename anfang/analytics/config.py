"""Config models rules share: zones, lines, schedules and the rule base (``name``, ``classes``, ...).

They live here, not in :mod:`anfang.config.models`, so rule plug-ins can import them while the config
module is still collecting plug-ins (see :mod:`anfang.plugins`); the config module re-exports them.
"""

from __future__ import annotations

import re

from pydantic import Field, field_validator, model_validator

from anfang.core.taxonomy import CLASS_NAMES
from anfang.plugins import PluginConfig

Point = tuple[float, float]


def _cross(o: Point, a: Point, b: Point) -> float:
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def _segments_cross(p1: Point, p2: Point, q1: Point, q2: Point) -> bool:
    """Proper or touching intersection of segments p1p2 and q1q2 (orientation test, collinear overlap included)."""
    d1, d2 = _cross(q1, q2, p1), _cross(q1, q2, p2)
    d3, d4 = _cross(p1, p2, q1), _cross(p1, p2, q2)
    if ((d1 > 0) != (d2 > 0)) and ((d3 > 0) != (d4 > 0)) and 0 not in (d1, d2, d3, d4):
        return True

    def on(a: Point, b: Point, c: Point) -> bool:  # c on segment ab, given collinear
        return min(a[0], b[0]) <= c[0] <= max(a[0], b[0]) and min(a[1], b[1]) <= c[1] <= max(a[1], b[1])

    return (
        (d1 == 0 and on(q1, q2, p1)) or (d2 == 0 and on(q1, q2, p2))
        or (d3 == 0 and on(p1, p2, q1)) or (d4 == 0 and on(p1, p2, q2))
    )  # fmt: skip


def self_intersection(points: list[Point]) -> tuple[int, int] | None:
    """The first pair of non-adjacent edges (i, j) of a closed polygon that cross, or ``None`` if it is simple.

    Zones have a handful of points, so the O(n²) pairwise test is instant; a geometry library (shapely, GEOS)
    would be a large dependency for this one check. Edge i runs from point i to point i+1 (the last closes).
    """
    n = len(points)
    edges = [(points[i], points[(i + 1) % n]) for i in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            if j == i + 1 or (i == 0 and j == n - 1):  # neighbours share a vertex
                continue
            if _segments_cross(*edges[i], *edges[j]):
                return i, j
    return None


class ZoneConfig(PluginConfig):
    name: str
    points: list[Point] = Field(min_length=3)

    @field_validator("points")
    @classmethod
    def _simple(cls, v: list[Point]) -> list[Point]:
        crossing = self_intersection(v)
        if crossing is not None:
            i, j = crossing
            n = len(v)
            raise ValueError(
                f"the zone's outline crosses itself: edge {i}->{(i + 1) % n} meets edge {j}->{(j + 1) % n} "
                "(list the points in order around the area)"
            )
        return v


class LineConfig(PluginConfig):
    name: str
    a: Point
    b: Point

    @model_validator(mode="after")
    def _non_degenerate(self) -> LineConfig:
        if self.a == self.b:
            raise ValueError("line end points a and b must differ")
        return self


class Schedule(PluginConfig):
    """Active hours, local time, e.g. ``{days: [0,1,2,3,4], start: "18:00", end: "07:00"}`` (wraps midnight)."""

    days: list[int] = Field(default_factory=lambda: list(range(7)))  # 0 = Monday
    start: str = "00:00"
    end: str = "24:00"

    @field_validator("start", "end")
    @classmethod
    def _hhmm(cls, v: str) -> str:
        m = re.fullmatch(r"(\d{1,2}):(\d{2})", v)
        if not m or int(m.group(1)) > 24 or int(m.group(2)) > 59:
            raise ValueError("expected HH:MM")
        return v

    @field_validator("days")
    @classmethod
    def _days(cls, v: list[int]) -> list[int]:
        if any(d < 0 or d > 6 for d in v):
            raise ValueError("days are 0 (Monday) to 6 (Sunday)")
        return v


class RuleBase(PluginConfig):
    """Fields every rule has. A rule that watches a zone declares ``zone: str``, one on a line ``line: str``:
    the camera checks the reference and the engine hands the rule that zone or line."""

    name: str
    classes: list[str] = Field(default_factory=lambda: ["person"])
    schedule: Schedule | None = None
    enabled: bool = True

    @field_validator("classes")
    @classmethod
    def _known_classes(cls, v: list[str]) -> list[str]:
        bad = [c for c in v if c not in CLASS_NAMES]
        if bad:
            raise ValueError(f"unknown class {bad[0]!r}; expected one of {', '.join(CLASS_NAMES)}")
        return v
