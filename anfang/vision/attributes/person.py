"""Person clothing colours: upper body between shoulders and hips, lower body from hips to knees/ankles.

Fixed box fractions put the "upper body" on the background whenever a person bends, sits or is cut off by
the box; MoveNet keypoints place the regions on the body itself. When the pose is weak (small, occluded or
blurred crops) we fall back to fixed fractions and say so through a lower confidence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from anfang.vision.attributes.colors import ColorName, name_colors

# COCO keypoint indices as MoveNet emits them.
L_SHOULDER, R_SHOULDER, L_HIP, R_HIP, L_KNEE, R_KNEE, L_ANKLE, R_ANKLE = 5, 6, 11, 12, 13, 14, 15, 16
MIN_KEYPOINT_SCORE = 0.3
FALLBACK_PENALTY = 0.7  # confidence factor when regions come from box fractions, not the pose
MIN_POSE_HEIGHT = 48  # pixels; below this MoveNet's keypoints are mostly noise


class PoseEstimator:
    """MoveNet Lightning from the model pack: 17 keypoints (x, y in crop pixels, score) per person crop."""

    def __init__(self, models_dir: Path, threads: int = 1) -> None:
        from anfang.models.pack import model_path
        from anfang.vision.onnx_utils import make_session

        self.session = make_session(model_path(models_dir, "movenet"), threads=threads)
        self.input_name = self.session.get_inputs()[0].name

    def keypoints(self, crop: np.ndarray) -> np.ndarray:
        """(17, 3) array of x, y (crop pixels), score for a BGR person crop."""
        h, w = crop.shape[:2]
        side = max(h, w)
        square = np.zeros((side, side, 3), np.uint8)
        oy, ox = (side - h) // 2, (side - w) // 2
        square[oy : oy + h, ox : ox + w] = crop
        rgb = cv2.cvtColor(cv2.resize(square, (192, 192), interpolation=cv2.INTER_AREA), cv2.COLOR_BGR2RGB)
        out = self.session.run(None, {self.input_name: rgb[None].astype(np.int32)})[0].reshape(17, 3)
        xs = out[:, 1] * side - ox
        ys = out[:, 0] * side - oy
        return np.stack([xs, ys, out[:, 2]], axis=1).astype(np.float32)


@dataclass
class PersonAttributes:
    """Colours of one person crop, with where the regions came from (``pose`` or ``box``)."""

    upper: ColorName | None
    lower: ColorName | None
    source: str
    regions: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"region_source": self.source}
        for key, colour in (("upper_color", self.upper), ("lower_color", self.lower)):
            if colour is not None:
                out[key] = {"value": colour.name, "code": colour.code, "confidence": colour.confidence}
        return out


def _clip_box(x1: float, y1: float, x2: float, y2: float, w: int, h: int) -> tuple[int, int, int, int]:
    return (int(max(0, min(x1, x2))), int(max(0, min(y1, y2))), int(min(w, max(x1, x2))), int(min(h, max(y1, y2))))


def pose_regions(kp: np.ndarray, w: int, h: int) -> dict[str, tuple[int, int, int, int]] | None:
    """Upper/lower body boxes from keypoints, or ``None`` when shoulders and hips are not both seen."""
    ok = kp[:, 2] >= MIN_KEYPOINT_SCORE
    shoulders = [i for i in (L_SHOULDER, R_SHOULDER) if ok[i]]
    hips = [i for i in (L_HIP, R_HIP) if ok[i]]
    if not shoulders or not hips:
        return None
    sy = float(np.mean(kp[shoulders, 1]))
    hy = float(np.mean(kp[hips, 1]))
    if hy - sy < 0.12 * h:  # torso collapsed to a line: the pose is wrong
        return None
    torso_x = kp[shoulders + hips, 0]
    cx = float(np.mean(torso_x))
    half = max(float(np.ptp(torso_x)) / 2, 0.12 * w)
    pad = 0.1 * (hy - sy)
    regions = {"upper": _clip_box(cx - half * 0.8, sy + pad, cx + half * 0.8, hy - pad * 0.5, w, h)}
    legs = [i for i in (L_KNEE, R_KNEE) if ok[i]] or [i for i in (L_ANKLE, R_ANKLE) if ok[i]]
    ly = float(np.mean(kp[legs, 1])) if legs else min(h, hy + (hy - sy))
    hip_x = kp[hips, 0]
    lcx = float(np.mean(hip_x))
    lhalf = max(float(np.ptp(hip_x)) / 2 + 0.05 * w, 0.1 * w)
    regions["lower"] = _clip_box(lcx - lhalf, hy + pad * 0.5, lcx + lhalf, ly, w, h)
    return regions


def box_regions(w: int, h: int) -> dict[str, tuple[int, int, int, int]]:
    """Fixed fractions of an upright pedestrian box (head ≈ top 15 %, torso to ≈ 50 %, legs below)."""
    return {
        "upper": _clip_box(0.25 * w, 0.2 * h, 0.75 * w, 0.48 * h, w, h),
        "lower": _clip_box(0.3 * w, 0.56 * h, 0.7 * w, 0.85 * h, w, h),
    }


def person_attributes(crop: np.ndarray, pose: PoseEstimator | None = None) -> PersonAttributes:
    """Upper/lower clothing colours of a BGR person crop (pose-placed regions when the pose is usable)."""
    h, w = crop.shape[:2]
    regions = None
    if pose is not None and h >= MIN_POSE_HEIGHT:
        regions = pose_regions(pose.keypoints(crop), w, h)
    source = "pose" if regions else "box"
    regions = regions or box_regions(w, h)
    colours: dict[str, ColorName | None] = {}
    for part, (x1, y1, x2, y2) in regions.items():
        c = name_colors(crop[y1:y2, x1:x2]) if x2 - x1 >= 2 and y2 - y1 >= 2 else None
        if c is not None and source == "box":
            c = ColorName(c.name, round(c.confidence * FALLBACK_PENALTY, 3))
        colours[part] = c
    return PersonAttributes(colours.get("upper"), colours.get("lower"), source, regions)
