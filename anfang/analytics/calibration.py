"""Ground-plane calibration of a camera: image pixels → metres on the ground, by a homography.

A camera's ``calibration:`` gives four image points (source pixels) and the same four points on the
ground in metres (any right-handed x/y frame, e.g. measured with a tape from a kerb corner). The
homography is OpenCV's ``getPerspectiveTransform`` (exact for four points); a track's bottom-centre anchor
is mapped through it, so speeds in m/s hold for objects standing on that plane. Optional ``check``: one
known distance between two image points, verified at load so a mistyped point is a config error, not a
wrong speed on every event.

The model lives here (not in :mod:`anfang.config.models`) so rule plug-ins can import it; the camera config
has one field of the type :data:`CameraCalibration`, which also rejects a rule that needs a calibration on
a camera without one.
"""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
from pydantic import AfterValidator, Field, ValidationInfo, model_validator

from anfang.analytics.config import Point
from anfang.plugins import PluginConfig

MAX_COORD = 1e6  # pixels or metres; anything larger is a typo (and would overflow the float32 solver)


class DistanceCheck(PluginConfig):
    a: Point  # image pixels
    b: Point
    metres: float = Field(gt=0)
    tolerance: float = Field(default=0.1, gt=0, lt=1)  # relative error allowed


class CalibrationConfig(PluginConfig):
    """Four image points ↔ four ground points in metres, in the same order."""

    image: tuple[Point, Point, Point, Point] = Field(examples=[[[100, 250], [668, 250], [668, 570], [100, 570]]])
    ground: tuple[Point, Point, Point, Point] = Field(examples=[[[-6.3, 17.1], [6.3, 17.1], [3.1, 8.4], [-3.1, 8.4]]])
    check: DistanceCheck | None = None

    @model_validator(mode="after")
    def _solvable(self) -> CalibrationConfig:
        for name, pts in (("image", self.image), ("ground", self.ground)):
            arr = np.asarray(pts, np.float64)
            if not np.isfinite(arr).all() or np.abs(arr).max() > MAX_COORD:
                raise ValueError(f"calibration {name} points must be finite numbers within ±{MAX_COORD:g}")
            if _degenerate(arr):
                raise ValueError(f"calibration {name} points: no three of the four may lie on one line")
        if self.check is not None:
            h = Homography(self)
            got = h.distance(self.check.a, self.check.b)
            if not np.isfinite(got):
                raise ValueError("calibration check: a check point maps to infinity (it lies on the horizon)")
            want = self.check.metres
            if abs(got - want) > self.check.tolerance * want:
                raise ValueError(
                    f"calibration check: the points {list(self.check.a)} and {list(self.check.b)} are "
                    f"{got:.2f} m apart by the four points, not {want:g} m; re-measure the points"
                )
        return self


def _degenerate(pts: np.ndarray) -> bool:
    scale = float(np.abs(pts).max())
    if scale == 0:
        return True
    pts = pts / scale  # compare areas on a unit scale: no overflow, no unit dependence
    for i in range(4):
        p, q, r = (pts[j] for j in range(4) if j != i)
        cross = (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])
        if abs(cross) < 1e-9:
            return True
    return False


class Homography:
    """Maps image points to ground metres (vectorised)."""

    def __init__(self, cfg: CalibrationConfig) -> None:
        import cv2  # here, not at module level: the config imports this module and must stay cheap

        self._cv2 = cv2
        self.matrix = cv2.getPerspectiveTransform(
            np.asarray(cfg.image, np.float32), np.asarray(cfg.ground, np.float32)
        ).astype(np.float64)

    def to_ground(self, points: np.ndarray) -> np.ndarray:
        """(N, 2) image pixels → (N, 2) metres on the ground plane."""
        pts = np.asarray(points, np.float64).reshape(-1, 1, 2)
        return self._cv2.perspectiveTransform(pts, self.matrix).reshape(-1, 2)

    def distance(self, a: Point, b: Point) -> float:
        g = self.to_ground(np.array([a, b], np.float64))
        return float(np.hypot(*(g[1] - g[0])))


def _rules_have_calibration(value: CalibrationConfig | None, info: ValidationInfo) -> CalibrationConfig | None:
    if value is None:
        for rule in info.data.get("rules") or ():
            if getattr(rule, "needs_calibration", False):
                raise ValueError(
                    f"rule {rule.name!r} ({rule.type}) measures speed in metres and needs the camera's "
                    "`calibration:` (four image points and the same four points on the ground in metres)"
                )
    return value


# The camera config's field type: declared after ``rules`` so the check sees them.
CameraCalibration = Annotated[
    CalibrationConfig | None, Field(default=None, validate_default=True), AfterValidator(_rules_have_calibration)
]


def calibration_refs(camera: Any, cfg: Any) -> dict[str, Any]:
    """The engine's extra factory arguments for a rule config: ``calibration`` when the rule needs it."""
    if getattr(cfg, "needs_calibration", False):
        return {"calibration": camera.calibration}
    return {}
