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


class ZoneConfig(PluginConfig):
    name: str
    points: list[Point] = Field(min_length=3)


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
