"""The ``quality:`` config section (video quality diagnosis, 视频质量诊断) and its per-camera override.

Thresholds are the operating points measured in docs/video-quality.md (ROC per defect on degraded real
frames, zero alarms on the clean clips); change them there and here together.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Defect = Literal[
    "blur", "dark", "bright", "colour_cast", "noise", "frozen", "signal_loss", "occlusion", "scene_change", "stripes"
]
DEFECTS: tuple[Defect, ...] = (
    "signal_loss",
    "frozen",
    "blur",
    "dark",
    "bright",
    "colour_cast",
    "noise",
    "occlusion",
    "scene_change",
    "stripes",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Thresholds(_Strict):
    """Where each check's verdict flips (see docs/video-quality.md for the measured ROC)."""

    blur: Annotated[float, Field(gt=0, le=1)] = 0.55  # sharpness / baseline sharpness below this
    dark: Annotated[float, Field(gt=0, le=1)] = 0.65  # mean luma / baseline mean luma below this
    bright: Annotated[float, Field(gt=0, le=1)] = 0.65  # luma headroom (255 - mean) / baseline headroom below this
    colour_cast: Annotated[float, Field(gt=0)] = 4.0  # Lab a*/b* mean moved this far from the baseline's
    noise: Annotated[float, Field(gt=0)] = 1.0  # max(sigma / noise_sigma, impulse / impulse_share) above this
    noise_sigma: Annotated[float, Field(gt=0)] = 3.0  # luma sigma (grey levels) of Gaussian noise that counts as noisy
    impulse_share: Annotated[float, Field(gt=0, le=1)] = 0.005  # share of salt / pepper pixels
    frozen: Annotated[float, Field(ge=0)] = 1.0  # mean |grey change| since the previous check below this
    signal_loss: Annotated[float, Field(ge=0)] = 6.0  # grey standard deviation below this (uniform frame)
    occlusion: Annotated[float, Field(gt=0, le=1)] = 0.15  # share of the cells textured at baseline that are now flat
    scene_change: Annotated[float, Field(gt=0, le=1)] = 0.012  # view moved by this share of the diagonal
    stripes: Annotated[float, Field(gt=0)] = 6.0  # new whitened spectral peak over the baseline's above this


class QualityConfig(_Strict):
    """Platform-wide diagnosis settings; ``cameras[].quality`` overrides them per camera."""

    enabled: bool = True
    interval_s: Annotated[float, Field(gt=0)] = 10.0  # one check per camera this often (frame time)
    # a defect seen on this many checks in a row raises its alarm; this many clean ones clear it
    persist_checks: Annotated[int, Field(ge=1)] = 3
    clear_checks: Annotated[int, Field(ge=1)] = 2
    # the first checks of a camera (clean ones) form its baseline: sharpness, texture, reference view
    baseline_checks: Annotated[int, Field(ge=1)] = 3
    # no frame for this long while the camera runs = signal loss (source offline)
    stale_s: Annotated[float, Field(gt=0)] = 30.0
    history: Annotated[int, Field(ge=1, le=10_000)] = 360  # checks kept per camera for the API
    checks: list[Defect] = Field(default_factory=lambda: list(DEFECTS))
    thresholds: Thresholds = Field(default_factory=Thresholds)


class CameraQualityConfig(_Strict):
    """Per-camera override: anything left out comes from the ``quality:`` section."""

    enabled: bool | None = None
    interval_s: Annotated[float | None, Field(gt=0)] = None
    checks: list[Defect] | None = None
    thresholds: dict[Defect, float] = Field(default_factory=dict)


def effective(base: QualityConfig, override: CameraQualityConfig | None) -> QualityConfig:
    """The settings one camera runs with (override merged over the section, re-validated)."""
    if override is None:
        return base
    data = base.model_dump()
    if override.enabled is not None:
        data["enabled"] = override.enabled
    if override.interval_s is not None:
        data["interval_s"] = override.interval_s
    if override.checks is not None:
        data["checks"] = list(override.checks)
    data["thresholds"] = {**data["thresholds"], **override.thresholds}
    return QualityConfig.model_validate(data)
