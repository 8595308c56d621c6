"""Per-camera recording settings (the ``recording:`` block of a camera).

Kept here, not in the shared config module, so recording options evolve with the recorder; the camera
model only gains one field of this type.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class RecordingConfig(BaseModel):
    """``off`` by default: recording costs disk, so a camera records only when asked to."""

    model_config = ConfigDict(extra="forbid")

    mode: Literal["off", "continuous", "events"] = "off"
    segment_s: float = Field(default=60.0, gt=0, le=3600)
    pre_roll_s: float = Field(default=5.0, ge=0, le=300)
    post_roll_s: float = Field(default=10.0, ge=0, le=3600)
    retention_days: float = Field(default=7.0, gt=0)
    max_disk_gb: float | None = Field(default=None, gt=0)  # quota for this camera's recordings; None: only free space
    min_free_gb: float = Field(default=1.0, ge=0)  # pause when the disk has less free space than this

    @model_validator(mode="after")
    def _rolls(self) -> RecordingConfig:
        if self.mode == "events" and self.pre_roll_s > self.segment_s * 10:
            raise ValueError("pre_roll_s must not exceed 10 segments")
        return self
