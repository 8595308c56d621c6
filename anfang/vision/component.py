"""Detection as a component: the one detector every camera pipeline shares.

Why: the detector is expensive (model sessions, threads), so one instance serves all cameras; it is the
configured plug-in (``detector:``) unless the platform was given one (tests inject a cheap detector).
"""

from __future__ import annotations

from anfang.component import Component, Context
from anfang.vision.base import Detector


class Detection(Component):
    """Holds ``detector``: the injected one, else ``create_detector(config.detector, models_dir)``."""

    name = "detection"

    def __init__(self, ctx: Context, detector: Detector | None = None) -> None:
        super().__init__(ctx)
        if detector is None:
            from anfang.vision.registry import create_detector

            detector = create_detector(ctx.config.detector, ctx.models_dir)
        self.detector: Detector = detector
