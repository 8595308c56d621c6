"""Counting: objects crossing a line, per class, in (``a_to_b``) and out (``b_to_a``).

Emits no events: a busy entrance would put thousands of identical rows in the event store and bury real
alarms. Operators read the counts from :meth:`RuleEngine.stats` (API / dashboard); a ``line_crossing``
rule on the same line gives per-crossing events when they are wanted. Counts survive schedule gaps
(only crossings inside the schedule are counted) and are cleared by ``reset``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from anfang.analytics.base import FrameView, Rule
from anfang.analytics.crossing import DirectionCounts, LineCrosser
from anfang.config.models import CountingRule, LineConfig
from anfang.core.taxonomy import class_name
from anfang.events.model import Event


class CountingRuleImpl(Rule):
    type = "counting"

    def __init__(self, camera_id: str, config: CountingRule, line: LineConfig) -> None:
        super().__init__(camera_id, config)
        self.line = line
        self.crosser = LineCrosser(line)
        self.counts = DirectionCounts()

    def disarm(self) -> None:
        self.crosser.reset()  # keep the counts, forget sides (no crossing spans a schedule gap)

    def evaluate(self, view: FrameView, rows: np.ndarray) -> list[Event]:
        for c in self.crosser.update(view, rows):
            self.counts.add(c.direction, class_name(int(view.detections.class_id[c.row])))
        return []

    def prune(self, now: float) -> None:
        self.crosser.prune(now)

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
