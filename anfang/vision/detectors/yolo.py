"""``yolo``: a user-supplied YOLOv8/YOLO11 ONNX export (output 1 x (4+C) x N)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from anfang.plugins import PluginConfig, register
from anfang.vision.base import Detector

TITLE = {"en": "YOLO (your ONNX file)", "zh": "YOLO（自备 ONNX）"}


class YoloDetectorConfig(PluginConfig):
    """A user-supplied YOLOv8/YOLO11 ONNX export (output 1 x (4+C) x N)."""

    type: Literal["yolo"] = "yolo"
    path: Path
    score_threshold: float = Field(default=0.3, ge=0, le=1)
    iou_threshold: float = Field(default=0.45, ge=0, le=1)
    input_size: int = Field(default=640, ge=32)
    class_map: dict[int, str] | None = None  # model class index → anfang class; default COCO-80


@register(
    "detector", "yolo", YoloDetectorConfig, title={"en": "YOLO (your ONNX file)", "zh": "YOLO（自备 ONNX）"}, order=3
)
def create(cfg: YoloDetectorConfig, models_dir: Path) -> Detector:
    from anfang.vision.yolo import YoloDetector

    path = Path(cfg.path).expanduser()
    if not path.is_absolute() and not path.exists() and (models_dir / path).exists():
        path = models_dir / path  # a relative path may name a file dropped into the models dir
    return YoloDetector(
        path,
        score_threshold=cfg.score_threshold,
        iou_threshold=cfg.iou_threshold,
        input_size=cfg.input_size,
        class_map=cfg.class_map,
    )
