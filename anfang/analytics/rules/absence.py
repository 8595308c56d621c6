"""Absence from post: a zone that should be manned has had nobody in it for longer than ``min_seconds``.

For a guard post, a reception desk, a control-room seat, a crossing warden's spot — used with a
``schedule`` (the hours the post must be manned). Presence is counted from *detections* of the rule's
classes whose anchor (bottom centre) is in the zone, tracked or not, so a person sitting still whom the
tracker has not confirmed still mans the post. A blink of the detector shorter than ``grace_s`` does not
end a presence. The clock starts when the zone empties (or when the schedule arms with the zone already
empty); one event per absence, re-armed when someone returns and stays ``grace_s``.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from anfang.analytics.base import FrameView, Rule
from anfang.analytics.config import RuleBase, ZoneConfig
from anfang.events.model import Event
from anfang.plugins import register


class AbsenceRule(RuleBase):
    type: Literal["absence"] = "absence"
    zone: str
    min_seconds: float = Field(default=60.0, gt=0)  # nobody in the zone this long raises
    grace_s: float = Field(default=2.0, ge=0)  # presence must last this long to re-arm; shorter gaps are blinks


@register("rule", "absence", AbsenceRule, title={"en": "Absence from post", "zh": "离岗检测"}, order=7)
class AbsenceRuleImpl(Rule):
    type = "absence"

    def __init__(self, camera_id: str, config: AbsenceRule, zone: ZoneConfig) -> None:
        super().__init__(camera_id, config)
        self.zone = zone
        self.min_seconds = config.min_seconds
        self.grace_s = config.grace_s
        self.reset()

    def reset(self) -> None:
        self.empty_since: float | None = None  # first update with nobody inside, of the current absence
        self.present_since: float | None = None  # someone back: since when (re-arms after grace_s)
        self.last_seen: float | None = None  # last update with someone inside
        self.raised = False

    def evaluate(self, view: FrameView, rows: np.ndarray) -> list[Event]:
        now = view.timestamp
        count = int(np.count_nonzero(view.inside(self.zone)[rows]))
        if count:
            self.last_seen = now
            if self.present_since is None:
                self.present_since = now
            if now - self.present_since >= self.grace_s:  # really back: the next absence is a new one
                self.empty_since, self.raised = None, False
            return []
        self.present_since = None
        if self.empty_since is None:  # the zone just emptied: the absence runs from the last sighting
            self.empty_since = now if self.last_seen is None else self.last_seen
        empty = now - self.empty_since
        if empty < self.min_seconds or self.raised:
            return []
        self.raised = True
        return [
            self.event(
                view,
                None,
                zone=self.zone.name,
                empty_s=round(empty, 3),
                min_seconds=self.min_seconds,
                box=_zone_box(self.zone),
                explanation=f"nobody in zone {self.zone.name!r} for {empty:.0f} s (at most {self.min_seconds:g} s)",
            )
        ]


def _zone_box(zone: ZoneConfig) -> tuple[float, float, float, float]:
    pts = np.asarray(zone.points, dtype=np.float64)
    return (float(pts[:, 0].min()), float(pts[:, 1].min()), float(pts[:, 0].max()), float(pts[:, 1].max()))
