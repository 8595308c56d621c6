"""``hog``: OpenCV's built-in HOG people detector (needs no model pack: a fallback and a baseline)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from anfang.plugins import PluginConfig, register
from anfang.vision.base import Detector

TITLE = {"en": "HOG people (no model pack)", "zh": "HOG 行人（无需模型包）"}


class HogDetectorConfig(PluginConfig):
    """OpenCV's built-in HOG people detector: needs no model pack (a fallback and a baseline)."""

    type: Literal["hog"] = "hog"
    score_threshold: float = Field(default=0.5, ge=0, le=1)


@register(
    "detector",
    "hog",
    HogDetectorConfig,
    title={"en": "HOG people (no model pack)", "zh": "HOG 行人（无需模型包）"},
    order=4,
)
def create(cfg: HogDetectorConfig, models_dir: Path) -> Detector:
    from anfang.vision.hog import HogDetector

    return HogDetector(score_threshold=cfg.score_threshold)
