"""``combo`` (the default): people from SSDLite, vehicles from CenterNet (see docs/benchmarks.md)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Literal

from pydantic import Field

from anfang.plugins import PluginConfig, register
from anfang.vision.base import Detector


class ComboDetectorConfig(PluginConfig):
    """People from SSDLite, vehicles from CenterNet (chosen by measurement, see docs/benchmarks.md)."""

    needs_model_pack: ClassVar[bool] = True
    type: Literal["combo"] = "combo"
    person_threshold: float = Field(default=0.3, ge=0, le=1)
    vehicle_threshold: float = Field(default=0.3, ge=0, le=1)


@register("detector", "combo", ComboDetectorConfig, title={"en": "Combo (recommended)", "zh": "组合（推荐）"}, order=0)
def create(cfg: ComboDetectorConfig, models_dir: Path) -> Detector:
    from anfang.vision.combo import ComboDetector

    return ComboDetector(models_dir, person_threshold=cfg.person_threshold, vehicle_threshold=cfg.vehicle_threshold)
