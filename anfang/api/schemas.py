"""Response models: they make ``/openapi.json`` describe exactly what the routes return."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from anfang.config.models import CameraConfig


class CameraStatusOut(BaseModel):
    """A camera pipeline's live counters (see the pipeline manager's ``CameraStatus``)."""

    model_config = ConfigDict(extra="allow")

    camera_id: str
    name: str | None = None
    state: str = "unknown"
    fps_in: float | None = None
    fps_out: float | None = None
    detect_calls: int | None = None
    frames_in: int | None = None
    events: int | None = None
    last_error: str | None = None
    last_frame_at: float | None = None


class CameraOut(BaseModel):
    id: str
    name: str | None
    origin: Literal["config", "api"] = Field(description="config file camera, or added/changed via the API")
    config: CameraConfig
    status: CameraStatusOut | None = None


class EventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    camera_id: str
    rule: str
    type: str
    object_class: str | None
    track_id: int | None
    start_time: float = Field(description="epoch seconds")
    end_time: float | None
    box: list[float] | None = Field(description="x1, y1, x2, y2 in source pixels")
    score: float | None
    attributes: dict[str, Any]
    acknowledged: bool
    ack_time: float | None
    has_snapshot: bool = False
    has_crop: bool = False

    @classmethod
    def of(cls, record: Any, hide_identities: bool = False) -> EventOut:
        """``hide_identities``: for users without see_identities (watchlist names masked)."""
        out = cls.model_validate(record)
        if hide_identities:
            from anfang.security.identities import hide_identities as hide

            out.attributes = hide(out.attributes)
        out.has_snapshot = bool(record.snapshot_path)
        out.has_crop = bool(record.crop_path)
        return out


class EventPage(BaseModel):
    items: list[EventOut]
    total: int
    limit: int
    offset: int


class HourCountOut(BaseModel):
    camera_id: str
    object_class: str | None
    hour: float = Field(description="start of the hour, epoch seconds")
    count: int


class StatsOut(BaseModel):
    generated_at: float
    since: float
    cameras: dict[str, CameraStatusOut]
    events_per_hour: list[HourCountOut]
    rules: dict[str, dict[str, Any]] = Field(description="per camera: rule counters, line in/out, zone occupancy")


class ValidationItem(BaseModel):
    field: str = Field(description="dotted path of the offending field, e.g. source.url")
    msg: str
    type: str
    loc: list[str | int]


class ValidationErrorOut(BaseModel):
    detail: list[ValidationItem]
    message: str
