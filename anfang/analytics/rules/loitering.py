"""Loitering: an object stays in a zone longer than ``min_seconds``.

Dwell is measured in the camera's own time (event timestamps), from the first update the object is seen
inside. A visit survives gaps of up to :data:`MAX_GAP_S` — a missed detection, a step over the zone's edge —
because a person lingering at a door is not a new visitor every time the detector blinks. One event per visit.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from anfang.analytics.base import FrameView, Rule, TrackStates, tracked_rows
from anfang.analytics.config import RuleBase, ZoneConfig
from anfang.events.model import Event
from anfang.plugins import register

MAX_GAP_S = 1.0


class LoiteringRule(RuleBase):
    type: Literal["loitering"] = "loitering"
    zone: str
    min_seconds: float = Field(gt=0, examples=[20])


@register("rule", "loitering", LoiteringRule, title={"en": "Loitering", "zh": "徘徊"}, order=2)
class LoiteringRuleImpl(Rule):
    type = "loitering"

    def __init__(self, camera_id: str, config: LoiteringRule, zone: ZoneConfig) -> None:
        super().__init__(camera_id, config)
        self.zone = zone
        self.min_seconds = config.min_seconds
        self.tracks = TrackStates()

    def evaluate(self, view: FrameView, rows: np.ndarray) -> list[Event]:
        rows = tracked_rows(view, rows)
        rows = rows[view.inside(self.zone)[rows]]  # only presence inside matters; absence is the gap
        now = view.timestamp
        events = []
        for row in rows.tolist():
            st = self.tracks.get(int(view.track_ids[row]), now, first=now, last=now, raised=False)
            if now - st["last"] > MAX_GAP_S:  # away too long: this is a new visit
                st["first"], st["raised"] = now, False
            st["last"] = now
            dwell = now - st["first"]
            if dwell > self.min_seconds and not st["raised"]:
                st["raised"] = True
                events.append(self.event(view, row, dwell_s=round(dwell, 3), zone=self.zone.name))
        return events

    def prune(self, now: float) -> None:
        self.tracks.prune(now)

    def reset(self) -> None:
        self.tracks.clear()
