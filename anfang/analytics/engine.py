"""Rule engine: one per camera; turns tracked detections into events and live counters.

The engine owns geometry caching (each zone/line is evaluated once per frame for all rules) and the
"people currently in zones" occupancy, so rules stay small state machines. Adding a rule type = one module
with a :class:`~anfang.analytics.base.Rule` subclass and one entry in :data:`RULE_TYPES`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from anfang.analytics.base import FrameView, Rule
from anfang.analytics.counting import CountingRuleImpl
from anfang.analytics.crowd import CrowdRuleImpl
from anfang.analytics.intrusion import IntrusionRuleImpl
from anfang.analytics.line_crossing import LineCrossingRuleImpl
from anfang.analytics.loitering import LoiteringRuleImpl
from anfang.config.models import CameraConfig
from anfang.core.detections import Detections
from anfang.core.taxonomy import class_name
from anfang.events.model import Event

ZONE_RULES: dict[str, type[Rule]] = {
    "intrusion": IntrusionRuleImpl,
    "loitering": LoiteringRuleImpl,
    "crowd": CrowdRuleImpl,
}
LINE_RULES: dict[str, type[Rule]] = {
    "line_crossing": LineCrossingRuleImpl,
    "counting": CountingRuleImpl,
}
RULE_TYPES = {**ZONE_RULES, **LINE_RULES}


class RuleEngine:
    """Evaluates a camera's enabled rules on each update of tracked detections."""

    def __init__(self, camera: CameraConfig) -> None:
        self.camera = camera
        zones = {z.name: z for z in camera.zones}
        lines = {ln.name: ln for ln in camera.lines}
        self.rules: list[Rule] = []
        for cfg in camera.rules:
            if not cfg.enabled:
                continue
            if cfg.type in ZONE_RULES:
                self.rules.append(ZONE_RULES[cfg.type](camera.id, cfg, zones[cfg.zone]))  # type: ignore[call-arg]
            else:
                self.rules.append(LINE_RULES[cfg.type](camera.id, cfg, lines[cfg.line]))  # type: ignore[call-arg]
        self._occupancy: dict[str, dict[str, int]] = {z.name: {} for z in camera.zones}
        self._last_time: float | None = None

    def update(self, timestamp: float, detections: Detections) -> list[Event]:
        """Events raised by this frame (detections carry ``track_id``; anchor = bottom centre of the box)."""
        view = FrameView(timestamp, detections)
        events: list[Event] = []
        for rule in self.rules:
            events.extend(rule.update(view))
        for zone in self.camera.zones:
            inside = detections.class_id[view.inside(zone)]
            ids, counts = np.unique(inside, return_counts=True)
            self._occupancy[zone.name] = {class_name(int(i)): int(c) for i, c in zip(ids, counts, strict=True)}
        self._last_time = timestamp
        return events

    def stats(self) -> dict[str, Any]:
        """JSON-ready live counters.

        ``{"time": last update, "lines": {rule: {"type", "line", "in": {class: n}, "out": {...}}},
        "zones": {zone: {class: objects inside now}}}``; ``in`` = ``a_to_b`` crossings, ``out`` = ``b_to_a``.
        """
        lines = {r.name: s for r in self.rules if (s := r.stats()) is not None}
        zones = {name: dict(per) for name, per in self._occupancy.items()}
        return {"camera_id": self.camera.id, "time": self._last_time, "lines": lines, "zones": zones}

    def reset(self) -> None:
        """Forget all per-track state, counts and occupancy (e.g. when the source restarts)."""
        for rule in self.rules:
            rule.reset()
        self._occupancy = {z.name: {} for z in self.camera.zones}
        self._last_time = None
