"""Rule engine: one per camera; turns tracked detections into events and live counters.

The engine owns geometry caching (each zone/line is evaluated once per frame for all rules) and the
"people currently in zones" occupancy, so rules stay small state machines. Rule types are plug-ins
(:mod:`anfang.analytics.rules`): the engine builds each from the registry, handing it the zone or line its
config names (``zone`` / ``line`` fields).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from anfang import plugins
from anfang.analytics.base import FrameView, Rule
from anfang.analytics.calibration import calibration_refs
from anfang.core.detections import Detections
from anfang.core.taxonomy import class_name
from anfang.events.model import Event

if TYPE_CHECKING:
    from anfang.config.models import CameraConfig


def build_rule(camera: CameraConfig, cfg: Any) -> Rule:
    """The rule a rule config describes, with the camera's zone/line it refers to."""
    refs: dict[str, Any] = {}
    if getattr(cfg, "zone", None) is not None:
        refs["zone"] = next(z for z in camera.zones if z.name == cfg.zone)
    if getattr(cfg, "line", None) is not None:
        refs["line"] = next(ln for ln in camera.lines if ln.name == cfg.line)
    refs.update(calibration_refs(camera, cfg))
    rule: Rule = plugins.get("rule", cfg.type).factory(camera.id, cfg, **refs)
    return rule


class RuleEngine:
    """Evaluates a camera's enabled rules on each update of tracked detections."""

    def __init__(self, camera: CameraConfig) -> None:
        self.camera = camera
        self.rules: list[Rule] = [build_rule(camera, cfg) for cfg in camera.rules if cfg.enabled]
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
