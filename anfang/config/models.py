"""Pydantic models of anfang's YAML config.

Plug-in sections (``source``, ``detector``, ``rules``, ``sinks``) are discriminated unions keyed by a
``type`` Literal, built at import time from the plug-in registry (:mod:`anfang.plugins`): each plug-in's
config model lives in the plug-in's own module, so adding one touches no file here. Validation errors
still say exactly which ``type`` values exist. The registered config models are also reachable here by
class name (``from anfang.config.models import FileSourceConfig``) for older imports.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from anfang import plugins
from anfang.analytics.calibration import CameraCalibration
from anfang.analytics.config import LineConfig, Point, RuleBase, Schedule, ZoneConfig
from anfang.faces.config import FacesConfig
from anfang.gb28181.config import Gb28181Config
from anfang.quality.config import CameraQualityConfig, QualityConfig
from anfang.recording.config import RecordingConfig
from anfang.security.config import SecurityConfig
from anfang.store.space import SpaceConfig
from anfang.structuring.config import RecordsConfig
from anfang.viid.config import ViidConfig

__all__ = [
    "AppConfig",
    "CameraConfig",
    "DetectorConfig",
    "LineConfig",
    "Point",
    "RuleBase",
    "RuleConfig",
    "Schedule",
    "SinkConfig",
    "SourceConfig",
    "ZoneConfig",
]

_ID_RE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
DEFAULT_DETECTOR = "combo"


class _Strict(BaseModel):
    """Base: unknown keys are errors (a typo in a config must not be silently ignored)."""

    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------- plug-in unions (from the registry)

if TYPE_CHECKING:
    SourceConfig: TypeAlias = Any
    DetectorConfig: TypeAlias = Any
    RuleConfig: TypeAlias = Any
    SinkConfig: TypeAlias = Any
else:
    SourceConfig = plugins.config_union("source")
    DetectorConfig = plugins.config_union("detector")
    RuleConfig = plugins.config_union("rule")
    SinkConfig = plugins.config_union("sink")


def __getattr__(name: str) -> type[BaseModel]:
    """Registered plug-in config models by class name (``FileSourceConfig``, ``IntrusionRule``, ...)."""
    for kind in plugins.KINDS:
        for p in plugins.plugins(kind):
            if p.config.__name__ == name:
                return p.config
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _default_detector() -> Any:
    return plugins.get("detector", DEFAULT_DETECTOR).config()


# ---------------------------------------------------------------- camera


class MotionConfig(_Strict):
    enabled: bool = True
    threshold: float = Field(default=0.002, ge=0, le=1)  # fraction of changed pixels that counts as motion
    hold_s: float = Field(default=2.0, ge=0)  # keep detecting this long after motion stops (tracks end cleanly)


class TrackerConfig(_Strict):
    """ByteTrack-class tracker settings.

    Defaults measured on TUD-Campus with the combo detector (docs/benchmarks.md): a detection score of 0.4
    starts tracks, and the association gate (cost 1 - IoU*score up to 0.9) is lenient because detections
    often run at 5 fps, where people move further between detections than at the video's frame rate.
    """

    track_thresh: float = Field(default=0.4, ge=0, le=1)
    match_thresh: float = Field(default=0.9, ge=0, le=1)
    track_buffer_s: float = Field(default=3.0, gt=0)


class CameraConfig(_Strict):
    id: str
    name: str | None = None
    enabled: bool = True
    source: SourceConfig
    detect_fps: float = Field(default=5.0, gt=0)
    motion: MotionConfig = Field(default_factory=MotionConfig)
    tracker: TrackerConfig = Field(default_factory=TrackerConfig)
    zones: list[ZoneConfig] = Field(default_factory=list)
    lines: list[LineConfig] = Field(default_factory=list)
    rules: list[RuleConfig] = Field(default_factory=list)
    calibration: CameraCalibration  # ground plane (metres) for speed rules; after `rules`: it checks them
    recording: RecordingConfig = Field(default_factory=lambda: RecordingConfig.model_validate({}))
    quality: CameraQualityConfig | None = None  # overrides of the ``quality:`` section for this camera

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
    port: int = Field(default=8080, ge=0, le=65535)
    tls_cert: Path | None = None  # PEM certificate (chain); with tls_key the API serves HTTPS only
    tls_key: Path | None = None


class StoreConfig(_Strict):
    url: str | None = None  # SQLAlchemy URL; default SQLite file in data_dir
    retention_days: float = Field(default=30.0, gt=0)
    space: SpaceConfig = Field(default_factory=SpaceConfig)  # free-space policy (anfang/store/space.py)


class AppConfig(_Strict):
    data_dir: Path = Path("./anfang-data")
    models_dir: Path | None = None  # default ~/.cache/anfang/models or $ANFANG_MODELS_DIR
    detector: DetectorConfig = Field(default_factory=_default_detector)
    api: ApiConfig = Field(default_factory=ApiConfig)
    store: StoreConfig = Field(default_factory=StoreConfig)
    records: RecordsConfig = Field(default_factory=lambda: RecordsConfig.model_validate({}))
    security: SecurityConfig = Field(default_factory=lambda: SecurityConfig.model_validate({}))
    cameras: list[CameraConfig] = Field(default_factory=list)
    gb28181: Gb28181Config = Field(default_factory=lambda: Gb28181Config.model_validate({}))
    faces: FacesConfig = Field(default_factory=lambda: FacesConfig.model_validate({}))
    sinks: list[SinkConfig] = Field(default_factory=list)  # where events go besides the store
    viid: ViidConfig = Field(default_factory=ViidConfig)  # GA/T 1400 view library server and client
    quality: QualityConfig = Field(default_factory=QualityConfig)  # video quality diagnosis

    @model_validator(mode="after")
    def _unique_cameras(self) -> AppConfig:
        ids = [c.id for c in self.cameras]
        dup = {i for i in ids if ids.count(i) > 1}
        if dup:
            raise ValueError(f"duplicate camera id {sorted(dup)[0]!r}")
        return self
