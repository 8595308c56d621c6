"""Building detectors: config ``type`` → the detector plug-in's factory (see :mod:`anfang.vision.detectors`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from anfang import plugins
from anfang.vision.base import Detector


def detector_types() -> list[str]:
    """The registered detector types, default first (for CLI choices)."""
    return plugins.types("detector")


def needs_model_pack(cfg: Any) -> bool:
    """Does this detector config load files from the model pack?"""
    return bool(getattr(cfg, "needs_model_pack", False))


def create_detector(cfg: Any, models_dir: Path) -> Detector:
    """Build the detector a ``DetectorConfig`` asks for; model files are looked up in ``models_dir``."""
    try:
        plugin = plugins.get("detector", str(cfg.type))
    except KeyError as err:
        raise ValueError(str(err.args[0])) from None
    detector: Detector = plugin.factory(cfg, models_dir)
    return detector
