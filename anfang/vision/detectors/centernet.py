"""``centernet``: CenterNet from the model pack (people and vehicles)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Literal

from pydantic import Field

from anfang.plugins import PluginConfig, register
from anfang.vision.base import Detector


class CenterNetDetectorConfig(PluginConfig):
    needs_model_pack: ClassVar[bool] = True
    type: Literal["centernet"] = "centernet"
    score_threshold: float = Field(default=0.3, ge=0, le=1)


@register("detector", "centernet", CenterNetDetectorConfig, title={"en": "CenterNet", "zh": "CenterNet"}, order=1)
def create(cfg: CenterNetDetectorConfig, models_dir: Path) -> Detector:
    from anfang.vision.centernet import CenterNetDetector

    return CenterNetDetector(models_dir, score_threshold=cfg.score_threshold)
