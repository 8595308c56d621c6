"""Wrong way: a track in a zone moves against the allowed direction (an arrow) for ``min_seconds``.

Typical uses: a one-way corridor or exit, a turnstile lane, a car park ramp, a motorway hard shoulder.
The allowed direction is an arrow of two image points ``[from, to]``. Each track's motion is *smoothed*
over the last ``window_s`` seconds (the displacement of its bottom-centre anchor from the oldest position
in the window), so box jitter and a single bad detection do not count; a displacement shorter than
``min_displacement_px`` is "standing" and neither raises nor clears. The track is going the wrong way
while the angle between that displacement and the arrow exceeds ``max_angle_deg`` (90° = any backwards
component; the default 120° wants a clearly opposite heading). One event per visit of the zone, with the
measured angle, displacement and speed and a sentence explaining why it fired.
"""

from __future__ import annotations

import math
from collections import deque
from typing import Literal

import numpy as np
from pydantic import Field, field_validator

from anfang.analytics.base import FrameView, Rule, TrackStates, tracked_rows
from anfang.analytics.config import Point, RuleBase, ZoneConfig
from anfang.events.model import Event
from anfang.plugins import register


class WrongWayRule(RuleBase):
    type: Literal["wrong_way"] = "wrong_way"
    zone: str
    arrow: tuple[Point, Point] = Field(examples=[[[0, 300], [100, 300]]])  # allowed direction: from → to
    max_angle_deg: float = Field(default=120.0, gt=0, lt=180)  # headings further than this from the arrow are wrong
    min_seconds: float = Field(default=1.0, ge=0)  # wrong-way heading held this long before raising
    window_s: float = Field(default=1.0, gt=0)  # motion is smoothed over this much track history
    min_displacement_px: float = Field(default=10.0, gt=0)  # less movement than this in the window = standing

    @field_validator("arrow")
    @classmethod
    def _non_degenerate(cls, v: tuple[Point, Point]) -> tuple[Point, Point]:
        if v[0] == v[1]:
            raise ValueError("the arrow's two points must differ")
        return v


@register("rule", "wrong_way", WrongWayRule, title={"en": "Wrong way", "zh": "逆行"}, order=5)
class WrongWayRuleImpl(Rule):
    type = "wrong_way"

    def __init__(self, camera_id: str, config: WrongWayRule, zone: ZoneConfig) -> None:
        super().__init__(camera_id, config)
        self.zone = zone
        (ax, ay), (bx, by) = config.arrow
        norm = math.hypot(bx - ax, by - ay)
        self.unit = ((bx - ax) / norm, (by - ay) / norm)
        self.max_angle = config.max_angle_deg
        self.min_seconds = config.min_seconds
        self.window_s = config.window_s
        self.min_disp = config.min_displacement_px
        self.tracks = TrackStates()

    def evaluate(self, view: FrameView, rows: np.ndarray) -> list[Event]:
        rows = tracked_rows(view, rows)
        inside = view.inside(self.zone)[rows]
        now = view.timestamp
        events = []
        for row, is_in in zip(rows.tolist(), inside.tolist(), strict=True):
            st = self.tracks.get(int(view.track_ids[row]), now, path=deque(), since=None, raised=False)
            if not is_in:  # left the zone: the next visit starts afresh
                st["path"].clear()
                st["since"], st["raised"] = None, False
                continue
            x, y = (float(v) for v in view.anchors[row])
            path: deque[tuple[float, float, float]] = st["path"]
            path.append((now, x, y))
            while len(path) > 2 and now - path[1][0] >= self.window_s:
                path.popleft()  # keep the oldest point that is still at least window_s old
            t0, x0, y0 = path[0]
            dx, dy = x - x0, y - y0
            dist = math.hypot(dx, dy)
            if dist < self.min_disp or now - t0 <= 0:
                continue  # standing (or no history yet): no verdict either way
            cos = max(-1.0, min(1.0, (dx * self.unit[0] + dy * self.unit[1]) / dist))
            angle = math.degrees(math.acos(cos))
            if angle <= self.max_angle:
                st["since"] = None
                continue
            if st["since"] is None:
                st["since"] = now  # counted from the first smoothed verdict, not the window's start
            against = now - st["since"]
            if against >= self.min_seconds and not st["raised"]:
                st["raised"] = True
                speed = dist / (now - t0)
                events.append(
                    self.event(
                        view,
                        row,
                        zone=self.zone.name,
                        angle_deg=round(angle, 1),
                        max_angle_deg=self.max_angle,
                        allowed_direction=[round(self.unit[0], 3), round(self.unit[1], 3)],
                        moved_px=[round(dx, 1), round(dy, 1)],
                        speed_px_s=round(speed, 1),
                        against_s=round(against, 3),
                        explanation=(
                            f"moving at {angle:.0f}° to the allowed direction (more than {self.max_angle:.0f}°) "
                            f"for {against:.1f} s in zone {self.zone.name!r}: {dist:.0f} px in the last "
                            f"{now - t0:.1f} s ({speed:.0f} px/s)"
                        ),
                    )
                )
        return events

    def prune(self, now: float) -> None:
        self.tracks.prune(now)

    def reset(self) -> None:
        self.tracks.clear()
