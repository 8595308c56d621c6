"""``ssdlite``: SSDLite from the model pack (people)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Literal

from pydantic import Field

from anfang.plugins import PluginConfig, register
from anfang.vision.base import Detector


class SsdLiteDetectorConfig(PluginConfig):
    needs_model_pack: ClassVar[bool] = True
    type: Literal["ssdlite"] = "ssdlite"
    score_threshold: float = Field(default=0.3, ge=0, le=1)


@register("detector", "ssdlite", SsdLiteDetectorConfig, title={"en": "SSDLite", "zh": "SSDLite"}, order=2)
def create(cfg: SsdLiteDetectorConfig, models_dir: Path) -> Detector:
    from anfang.vision.ssdlite import SsdLiteDetector

    return SsdLiteDetector(models_dir, score_threshold=cfg.score_threshold)
