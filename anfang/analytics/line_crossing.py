"""Line crossing: one event per crossing of a line in the configured direction (see :mod:`.crossing`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from anfang.analytics.base import FrameView, Rule
from anfang.analytics.crossing import DirectionCounts, LineCrosser
from anfang.config.models import LineConfig, LineCrossingRule
from anfang.core.taxonomy import class_name
from anfang.events.model import Event


class LineCrossingRuleImpl(Rule):
    type = "line_crossing"

    def __init__(self, camera_id: str, config: LineCrossingRule, line: LineConfig) -> None:
        super().__init__(camera_id, config)
        self.line = line
        self.direction = config.direction
        self.crosser = LineCrosser(line)
        self.counts = DirectionCounts()  # crossings in *both* directions, for the dashboard

    def evaluate(self, view: FrameView, rows: np.ndarray) -> list[Event]:
        events = []
        for c in self.crosser.update(view, rows):
            self.counts.add(c.direction, class_name(int(view.detections.class_id[c.row])))
            if self.direction in ("both", c.direction):
                events.append(self.event(view, c.row, direction=c.direction, line=self.line.name))
        return events

    def prune(self, now: float) -> None:
        self.crosser.prune(now)

    def disarm(self) -> None:
        self.crosser.reset()

    def reset(self) -> None:
        self.crosser.reset()
        self.counts.reset()

    def stats(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "line": self.line.name,
            "in": dict(self.counts.counts["a_to_b"]),
            "out": dict(self.counts.counts["b_to_a"]),
        }
