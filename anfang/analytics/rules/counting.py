"""Counting: objects crossing a line, per class, in (``a_to_b``) and out (``b_to_a``).

Emits no events: a busy entrance would put thousands of identical rows in the event store and bury real
alarms. Operators read the counts from :meth:`RuleEngine.stats` (API / dashboard); a ``line_crossing``
rule on the same line gives per-crossing events when they are wanted. Counts survive schedule gaps
(only crossings inside the schedule are counted) and are cleared by ``reset``.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from anfang.analytics.base import FrameView
from anfang.analytics.config import LineConfig, RuleBase
from anfang.analytics.crossing import LineRule
from anfang.events.model import Event
from anfang.plugins import register


class CountingRule(RuleBase):
    type: Literal["counting"] = "counting"
    line: str


@register("rule", "counting", CountingRule, title={"en": "Counting", "zh": "计数"}, order=4)
class CountingRuleImpl(LineRule):
    type = "counting"

    def __init__(self, camera_id: str, config: CountingRule, line: LineConfig) -> None:
        super().__init__(camera_id, config, line)

    def evaluate(self, view: FrameView, rows: np.ndarray) -> list[Event]:
        for _ in self.crossings(view, rows):  # counted by LineRule; no events
            pass
        return []
