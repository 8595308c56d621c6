"""Line crossing: one event per crossing of a line in the configured direction (see :mod:`.crossing`)."""

from __future__ import annotations

import numpy as np

from anfang.analytics.base import FrameView
from anfang.analytics.crossing import LineRule
from anfang.config.models import LineConfig, LineCrossingRule
from anfang.events.model import Event


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
