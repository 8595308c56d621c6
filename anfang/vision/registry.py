"""Detector registry: config ``type`` → plug-in factory.

Adding a detector = one module with a class implementing :class:`~anfang.vision.base.Detector`, one
pydantic model in :mod:`anfang.config.models`, and one entry here.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from anfang.vision.base import Detector

Factory = Callable[[Any, Path], Detector]
_REGISTRY: dict[str, Factory] = {}


def register(type_name: str) -> Callable[[Factory], Factory]:
    def deco(fn: Factory) -> Factory:
        _REGISTRY[type_name] = fn
        return fn

    return deco


@register("hog")
def _hog(cfg: Any, models_dir: Path) -> Detector:
    from anfang.vision.hog import HogDetector

    return HogDetector(score_threshold=cfg.score_threshold)


@register("centernet")
def _centernet(cfg: Any, models_dir: Path) -> Detector:
    from anfang.vision.centernet import CenterNetDetector

    return CenterNetDetector(models_dir, score_threshold=cfg.score_threshold)


@register("ssdlite")
def _ssdlite(cfg: Any, models_dir: Path) -> Detector:
    from anfang.vision.ssdlite import SsdLiteDetector

    return SsdLiteDetector(models_dir, score_threshold=cfg.score_threshold)


@register("combo")
def _combo(cfg: Any, models_dir: Path) -> Detector:
    from anfang.vision.combo import ComboDetector

    return ComboDetector(models_dir, person_threshold=cfg.person_threshold, vehicle_threshold=cfg.vehicle_threshold)


@register("yolo")
def _yolo(cfg: Any, models_dir: Path) -> Detector:
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


def create_detector(cfg: Any, models_dir: Path) -> Detector:
    """Build the detector a ``DetectorConfig`` asks for; model files are looked up in ``models_dir``."""
    try:
        factory = _REGISTRY[cfg.type]
    except KeyError:
        raise ValueError(f"unknown detector type {cfg.type!r}; known: {', '.join(sorted(_REGISTRY))}") from None
    return factory(cfg, models_dir)
