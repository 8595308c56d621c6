"""Crowd: at least ``min_count`` matching objects in a zone for at least ``min_seconds``.

Counts detections, not tracks, so it works without a tracker and is not fooled by id switches. One event
per episode; the rule re-arms when the count drops below ``min_count``. The event is zone-level
(``track_id`` None) with the union box of the objects inside, so the snapshot crop shows the whole group.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from anfang.analytics.base import FrameView, Rule
from anfang.analytics.config import RuleBase, ZoneConfig
from anfang.events.model import Event
from anfang.plugins import register


class CrowdRule(RuleBase):
    type: Literal["crowd"] = "crowd"
    zone: str
    min_count: int = Field(ge=1, examples=[5])
    min_seconds: float = Field(default=0.0, ge=0)


@register("rule", "crowd", CrowdRule, title={"en": "Crowd", "zh": "人员聚集"}, order=3)
class CrowdRuleImpl(Rule):
    type = "crowd"

    def __init__(self, camera_id: str, config: CrowdRule, zone: ZoneConfig) -> None:
        super().__init__(camera_id, config)
        self.zone = zone
        self.min_count = config.min_count
        self.min_seconds = config.min_seconds
        self.since: float | None = None
        self.raised = False

    def evaluate(self, view: FrameView, rows: np.ndarray) -> list[Event]:
        rows = rows[view.inside(self.zone)[rows]]
        count = len(rows)
        if count < self.min_count:
            self.since, self.raised = None, False
            return []
        if self.since is None:
            self.since = view.timestamp
        if self.raised or view.timestamp - self.since < self.min_seconds:
            return []
        self.raised = True
        boxes = view.detections.xyxy[rows]
        box = (float(boxes[:, 0].min()), float(boxes[:, 1].min()), float(boxes[:, 2].max()), float(boxes[:, 3].max()))
        classes = sorted(set(self.config.classes))
        return [
            self.event(
                view,
                None,
                count=count,
                zone=self.zone.name,
                box=box,
                score=float(view.detections.confidence[rows].mean()),
                object_class=classes[0] if len(classes) == 1 else None,
            )
        ]

    def reset(self) -> None:
        self.since = None
        self.raised = False
