"""Pydantic models of anfang's YAML config.

Plug-in sections (sources, detectors, rules) are discriminated unions keyed by a ``type`` Literal, so
adding a plug-in means adding one model here and one class in its registry; validation errors then say
exactly which ``type`` values exist.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from anfang.core.taxonomy import CLASS_NAMES
from anfang.faces.config import FacesConfig
from anfang.gb28181.config import Gb28181Config, Gb28181SourceConfig
from anfang.recording.config import RecordingConfig
from anfang.security.config import SecurityConfig
from anfang.structuring.config import RecordsConfig

Point = tuple[float, float]
_ID_RE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


class _Strict(BaseModel):
    """Base: unknown keys are errors (a typo in a config must not be silently ignored)."""

    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------- sources


class FileSourceConfig(_Strict):
    type: Literal["file"] = "file"
    path: Path
    loop: bool = False
    realtime: bool = True  # pace frames at the file's frame rate, like a live camera


class RtspSourceConfig(_Strict):
    type: Literal["rtsp"] = "rtsp"
    url: str
    transport: Literal["tcp", "udp"] = "tcp"
    timeout_s: float = Field(5.0, gt=0)
    reconnect_initial_s: float = Field(1.0, gt=0)
    reconnect_max_s: float = Field(30.0, gt=0)

    @field_validator("url")
    @classmethod
    def _rtsp_url(cls, v: str) -> str:
        if not v.startswith(("rtsp://", "rtsps://")):
            raise ValueError("must start with rtsp:// or rtsps://")
        return v


SourceConfig = Annotated[FileSourceConfig | RtspSourceConfig | Gb28181SourceConfig, Field(discriminator="type")]


# ---------------------------------------------------------------- geometry


class ZoneConfig(_Strict):
    name: str
    points: list[Point] = Field(min_length=3)


class LineConfig(_Strict):
    name: str
    a: Point
    b: Point

    @model_validator(mode="after")
    def _non_degenerate(self) -> LineConfig:
        if self.a == self.b:
            raise ValueError("line end points a and b must differ")
        return self


# ---------------------------------------------------------------- rules


class Schedule(_Strict):
    """Active hours, local time, e.g. ``{days: [0,1,2,3,4], start: "18:00", end: "07:00"}`` (wraps midnight)."""

    days: list[int] = Field(default_factory=lambda: list(range(7)))  # 0 = Monday
    start: str = "00:00"
    end: str = "24:00"

    @field_validator("start", "end")
    @classmethod
    def _hhmm(cls, v: str) -> str:
        m = re.fullmatch(r"(\d{1,2}):(\d{2})", v)
        if not m or int(m.group(1)) > 24 or int(m.group(2)) > 59:
            raise ValueError("expected HH:MM")
        return v

    @field_validator("days")
    @classmethod
    def _days(cls, v: list[int]) -> list[int]:
        if any(d < 0 or d > 6 for d in v):
            raise ValueError("days are 0 (Monday) to 6 (Sunday)")
        return v


class _RuleBase(_Strict):
    name: str
    classes: list[str] = Field(default_factory=lambda: ["person"])
    schedule: Schedule | None = None
    enabled: bool = True

    @field_validator("classes")
    @classmethod
    def _known_classes(cls, v: list[str]) -> list[str]:
        bad = [c for c in v if c not in CLASS_NAMES]
        if bad:
            raise ValueError(f"unknown class {bad[0]!r}; expected one of {', '.join(CLASS_NAMES)}")
        return v


class IntrusionRule(_RuleBase):
    type: Literal["intrusion"] = "intrusion"
    zone: str
    min_frames: int = Field(1, ge=1)  # consecutive frames inside before raising (debounce)


class LineCrossingRule(_RuleBase):
    type: Literal["line_crossing"] = "line_crossing"
    line: str
    direction: Literal["a_to_b", "b_to_a", "both"] = "both"


class LoiteringRule(_RuleBase):
    type: Literal["loitering"] = "loitering"
    zone: str
    min_seconds: float = Field(gt=0)


class CrowdRule(_RuleBase):
    type: Literal["crowd"] = "crowd"
    zone: str
    min_count: int = Field(ge=1)
    min_seconds: float = Field(0.0, ge=0)


class CountingRule(_RuleBase):
    type: Literal["counting"] = "counting"
    line: str


RuleConfig = Annotated[
    IntrusionRule | LineCrossingRule | LoiteringRule | CrowdRule | CountingRule,
    Field(discriminator="type"),
]


# ---------------------------------------------------------------- detectors


class CenterNetDetectorConfig(_Strict):
    type: Literal["centernet"] = "centernet"
    score_threshold: float = Field(0.3, ge=0, le=1)


class SsdLiteDetectorConfig(_Strict):
    type: Literal["ssdlite"] = "ssdlite"
    score_threshold: float = Field(0.3, ge=0, le=1)


class ComboDetectorConfig(_Strict):
    """People from SSDLite, vehicles from CenterNet (chosen by measurement, see docs/benchmarks.md)."""

    type: Literal["combo"] = "combo"
    person_threshold: float = Field(0.3, ge=0, le=1)
    vehicle_threshold: float = Field(0.3, ge=0, le=1)


class YoloDetectorConfig(_Strict):
    """A user-supplied YOLOv8/YOLO11 ONNX export (output 1 x (4+C) x N)."""

    type: Literal["yolo"] = "yolo"
    path: Path
    score_threshold: float = Field(0.3, ge=0, le=1)
    iou_threshold: float = Field(0.45, ge=0, le=1)
    input_size: int = Field(640, ge=32)
    class_map: dict[int, str] | None = None  # model class index → anfang class; default COCO-80


class HogDetectorConfig(_Strict):
    """OpenCV's built-in HOG people detector: needs no model pack (a fallback and a baseline)."""

    type: Literal["hog"] = "hog"
    score_threshold: float = Field(0.5, ge=0, le=1)


DetectorConfig = Annotated[
    CenterNetDetectorConfig
    | SsdLiteDetectorConfig
    | ComboDetectorConfig
    | YoloDetectorConfig
    | HogDetectorConfig,
    Field(discriminator="type"),
]


# ---------------------------------------------------------------- camera


class MotionConfig(_Strict):
    enabled: bool = True
    threshold: float = Field(0.002, ge=0, le=1)  # fraction of changed pixels that counts as motion
    hold_s: float = Field(2.0, ge=0)  # keep detecting this long after motion stops (tracks end cleanly)


class TrackerConfig(_Strict):
    """ByteTrack-class tracker settings.

    Defaults measured on TUD-Campus with the combo detector (docs/benchmarks.md): a detection score of 0.4
    starts tracks, and the association gate (cost 1 - IoU*score up to 0.9) is lenient because detections
    often run at 5 fps, where people move further between detections than at the video's frame rate.
    """

    track_thresh: float = Field(0.4, ge=0, le=1)
    match_thresh: float = Field(0.9, ge=0, le=1)
    track_buffer_s: float = Field(3.0, gt=0)


class CameraConfig(_Strict):
    id: str
    name: str | None = None
    enabled: bool = True
    source: SourceConfig
    detect_fps: float = Field(5.0, gt=0)
    motion: MotionConfig = Field(default_factory=MotionConfig)
    tracker: TrackerConfig = Field(default_factory=TrackerConfig)
    zones: list[ZoneConfig] = Field(default_factory=list)
    lines: list[LineConfig] = Field(default_factory=list)
    rules: list[RuleConfig] = Field(default_factory=list)
    recording: RecordingConfig = Field(default_factory=RecordingConfig)

    @field_validator("id")
    @classmethod
    def _id_chars(cls, v: str) -> str:
        if not _ID_RE.match(v):
            raise ValueError("camera id must be 1-64 characters of letters, digits, '_', '-', '.'")
        return v

    @model_validator(mode="after")
    def _references(self) -> CameraConfig:
        zones = {z.name for z in self.zones}
        lines = {line.name for line in self.lines}
        for kind, names in (("zone", [z.name for z in self.zones]), ("line", [x.name for x in self.lines])):
            dup = {n for n in names if names.count(n) > 1}
            if dup:
                raise ValueError(f"duplicate {kind} name {sorted(dup)[0]!r}")
        rule_names = [r.name for r in self.rules]
        dup_rules = {n for n in rule_names if rule_names.count(n) > 1}
        if dup_rules:
            raise ValueError(f"duplicate rule name {sorted(dup_rules)[0]!r}")
        for r in self.rules:
            ref_zone = getattr(r, "zone", None)
            ref_line = getattr(r, "line", None)
            if ref_zone is not None and ref_zone not in zones:
                raise ValueError(f"rule {r.name!r} refers to zone {ref_zone!r}, which is not defined")
            if ref_line is not None and ref_line not in lines:
                raise ValueError(f"rule {r.name!r} refers to line {ref_line!r}, which is not defined")
        return self


# ---------------------------------------------------------------- platform


class ApiConfig(_Strict):
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=0, le=65535)
    tls_cert: Path | None = None  # PEM certificate (chain); with tls_key the API serves HTTPS only
    tls_key: Path | None = None


class StoreConfig(_Strict):
    url: str | None = None  # SQLAlchemy URL; default SQLite file in data_dir
    retention_days: float = Field(30.0, gt=0)


class AppConfig(_Strict):
    data_dir: Path = Path("./anfang-data")
    models_dir: Path | None = None  # default ~/.cache/anfang/models or $ANFANG_MODELS_DIR
    detector: DetectorConfig = Field(default_factory=ComboDetectorConfig)
    api: ApiConfig = Field(default_factory=ApiConfig)
    store: StoreConfig = Field(default_factory=StoreConfig)
    records: RecordsConfig = Field(default_factory=RecordsConfig)
    security: SecurityConfig = Field(default_factory=SecurityConfig)
    cameras: list[CameraConfig] = Field(default_factory=list)
    gb28181: Gb28181Config = Field(default_factory=Gb28181Config)
    faces: FacesConfig = Field(default_factory=FacesConfig)

    @model_validator(mode="after")
    def _unique_cameras(self) -> AppConfig:
        ids = [c.id for c in self.cameras]
        dup = {i for i in ids if ids.count(i) > 1}
        if dup:
            raise ValueError(f"duplicate camera id {sorted(dup)[0]!r}")
        return self
