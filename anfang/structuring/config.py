"""``records:`` in the config: structured records (GA/T 1400 shapes) from finished tracks.

Off by default so plain platforms (and the test-suite's many of them) don't load pose/ReID models and write
record files; the packaged demo config turns it on, so the demo produces records out of the box.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from anfang.vision.reid.onnx_reid import ReidConfig


class RecordsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = False
    track_end_s: float = Field(default=2.0, gt=0)  # a track unseen this long has left: its record is written
    min_detections: int = Field(default=3, ge=1)  # shorter tracks are mostly false positives
    classes: list[str] = Field(default_factory=lambda: ["person", "bicycle", "car", "motorcycle", "bus", "truck"])
    pose: bool = True  # place clothing regions with MoveNet keypoints (falls back to box fractions)
    plates: bool = True  # read plates on vehicle records when anfang.vision.plate is available
    faces: bool = True  # face records when anfang.vision.face is available
    reid: ReidConfig = Field(default_factory=ReidConfig)
    index_backend: Literal["hnswlib", "faiss"] = "hnswlib"
    index_save_s: float = Field(default=30.0, gt=0)  # the index is saved at most this often (and on close)
    retention_days: float | None = Field(default=None, gt=0)  # default: store.retention_days
    jpeg_quality: int = Field(default=90, ge=30, le=100)
