"""Crowd gathering: the number of people in a zone *grows* faster than a rate — a crowd forming.

Distinct from the static ``crowd`` rule (at least N inside): a square that always holds thirty people does
not raise, twelve people converging on a spot in half a minute does. The count per update (detections of
the rule's classes anchored in the zone) is smoothed with a running median over ``smooth_s`` so a
detector blink is not growth; the growth is the smoothed count now minus the *lowest* smoothed count in the
last ``window_s`` seconds. It raises when the growth reaches ``min_increase`` people and the rate
(growth over the time since that low point) is at least ``min_rate_per_min`` people per minute, with at
least ``min_count`` inside, and the grown count *holds* for ``hold_s`` (walkers crossing make the count
swing up and down; a gathering stays). One event per gathering; re-armed when the smoothed count falls
back to the low point it grew from.
"""

from __future__ import annotations

from collections import deque
from typing import Literal

import numpy as np
from pydantic import Field

from anfang.analytics.base import FrameView, Rule
from anfang.analytics.config import RuleBase, ZoneConfig
from anfang.events.model import Event
from anfang.plugins import register


class CrowdGatheringRule(RuleBase):
    type: Literal["crowd_gathering"] = "crowd_gathering"
    zone: str
    min_increase: int = Field(default=5, ge=1)  # people more than the window's low point
    window_s: float = Field(default=30.0, gt=0)  # growth is measured against the lowest count this far back
    min_rate_per_min: float = Field(default=6.0, ge=0)  # growth / time since the low point, people per minute
    min_count: int = Field(default=1, ge=1)  # and at least this many inside
    smooth_s: float = Field(default=2.0, ge=0)  # running median of the count over this long
    hold_s: float = Field(default=10.0, ge=0)  # the grown count must last this long (crossings do not)


@register("rule", "crowd_gathering", CrowdGatheringRule, title={"en": "Crowd gathering", "zh": "人群聚集趋势"}, order=8)
class CrowdGatheringRuleImpl(Rule):
    type = "crowd_gathering"

    def __init__(self, camera_id: str, config: CrowdGatheringRule, zone: ZoneConfig) -> None:
        super().__init__(camera_id, config)
        self.zone = zone
        self.cfg = config
        self.reset()

    def reset(self) -> None:
        self.raw: deque[tuple[float, int]] = deque()  # (time, count) over smooth_s
        self.smoothed: deque[tuple[float, float]] = deque()  # (time, median count) over window_s
        self.raised_from: float | None = None  # the low point the raised gathering grew from
        self.candidate: tuple[float, float, float, float] | None = None  # (since, low, t_low, rate) while holding

    def evaluate(self, view: FrameView, rows: np.ndarray) -> list[Event]:
        now, cfg = view.timestamp, self.cfg
        inside = rows[view.inside(self.zone)[rows]]
        self.raw.append((now, len(inside)))
        while now - self.raw[0][0] > cfg.smooth_s:
            self.raw.popleft()
        count = float(np.median([c for _t, c in self.raw]))
        self.smoothed.append((now, count))
        while now - self.smoothed[0][0] > cfg.window_s:
            self.smoothed.popleft()
        if self.raised_from is not None:
            if count <= self.raised_from:
                self.raised_from = None  # dispersed back to where it started: re-armed
            return []
        if self.candidate is not None:
            since, low, t_low, rate = self.candidate
            if count - low < cfg.min_increase:
                self.candidate = None  # fell back before hold_s: people passing through
        if self.candidate is None:
            t_low, low = min(self.smoothed, key=lambda tc: (tc[1], -tc[0]))  # the latest lowest point
            span = now - t_low
            if count - low < cfg.min_increase or span <= 0:
                return []
            rate = (count - low) / span * 60.0
            if rate < cfg.min_rate_per_min:
                return []
            self.candidate = (now, low, t_low, rate)
        since, low, t_low, rate = self.candidate
        if count < cfg.min_count or now - since < cfg.hold_s:
            return []
        growth, span = count - low, since - t_low
        self.candidate = None
        self.raised_from = low
        boxes = view.detections.xyxy[inside]
        box = (float(boxes[:, 0].min()), float(boxes[:, 1].min()), float(boxes[:, 2].max()), float(boxes[:, 3].max()))
        return [
            self.event(
                view,
                None,
                zone=self.zone.name,
                count=count,
                from_count=low,
                growth=growth,
                over_s=round(span, 3),
                rate_per_min=round(rate, 2),
                held_s=round(now - since, 3),
                box=box,
                explanation=(
                    f"people in zone {self.zone.name!r} grew from {low:g} to {count:g} in {span:.1f} s "
                    f"({rate:.1f}/min; at least {cfg.min_increase} more at {cfg.min_rate_per_min:g}/min) "
                    f"and stayed {now - since:.0f} s"
                ),
            )
        ]
