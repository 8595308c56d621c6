"""Line crossing: one event per crossing of a line in the configured direction (see :mod:`.crossing`)."""

from __future__ import annotations

from typing import Literal

import numpy as np

from anfang.analytics.base import FrameView
from anfang.analytics.config import LineConfig, RuleBase
from anfang.analytics.crossing import LineRule
from anfang.events.model import Event
from anfang.plugins import register


class LineCrossingRule(RuleBase):
    type: Literal["line_crossing"] = "line_crossing"
    line: str
    direction: Literal["a_to_b", "b_to_a", "both"] = "both"


@register("rule", "line_crossing", LineCrossingRule, title={"en": "Line crossing", "zh": "越线"}, order=1)
class LineCrossingRuleImpl(LineRule):
    type = "line_crossing"

    def __init__(self, camera_id: str, config: LineCrossingRule, line: LineConfig) -> None:
        super().__init__(camera_id, config, line)
        self.direction = config.direction

    def evaluate(self, view: FrameView, rows: np.ndarray) -> list[Event]:
        return [
            self.event(view, c.row, direction=c.direction, line=self.line.name)
            for c in self.crossings(view, rows)
            if self.direction in ("both", c.direction)
        ]
