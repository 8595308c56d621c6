"""Intrusion: an object enters a zone (debounced over ``min_frames`` consecutive updates).

One event per entry: leaving and coming back raises again, so an operator sees every visit, while an
object standing inside does not flood the event list. An object first seen already inside counts as
entering — at the start of a schedule or when someone appears from behind an obstacle inside the zone.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from anfang.analytics.base import FrameView, Rule, TrackStates, tracked_rows
from anfang.analytics.config import RuleBase, ZoneConfig
from anfang.events.model import Event
from anfang.plugins import register


class IntrusionRule(RuleBase):
    type: Literal["intrusion"] = "intrusion"
    zone: str
    min_frames: int = Field(default=1, ge=1)  # consecutive frames inside before raising (debounce)


@register("rule", "intrusion", IntrusionRule, title={"en": "Intrusion", "zh": "区域入侵"}, order=0)
class IntrusionRuleImpl(Rule):
    type = "intrusion"

    def __init__(self, camera_id: str, config: IntrusionRule, zone: ZoneConfig) -> None:
        super().__init__(camera_id, config)
        self.zone = zone
        self.min_frames = config.min_frames
        self.tracks = TrackStates()

    def evaluate(self, view: FrameView, rows: np.ndarray) -> list[Event]:
        rows = tracked_rows(view, rows)
        inside = view.inside(self.zone)[rows]
        events = []
        for row, is_in in zip(rows.tolist(), inside.tolist(), strict=True):
            st = self.tracks.get(int(view.track_ids[row]), view.timestamp, frames_in=0, raised=False)
            if not is_in:
                st["frames_in"], st["raised"] = 0, False  # left: the next entry is a new intrusion
                continue
            st["frames_in"] += 1
            if st["frames_in"] >= self.min_frames and not st["raised"]:
                st["raised"] = True
                events.append(self.event(view, row, zone=self.zone.name))
        return events

    def prune(self, now: float) -> None:
        self.tracks.prune(now)

    def reset(self) -> None:
        self.tracks.clear()
