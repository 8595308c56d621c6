"""Vehicle attributes: body colour from the box centre, type from the detector's class.

Windows, tyres and the road are what a whole vehicle box is mostly made of; the band between bonnet and
sills (middle rows, inner columns) is where the paint is, and windscreen glass reads as black/gray, so the
dominant name is taken over that band only with black/gray demoted when a chromatic colour is close.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from anfang.vision.attributes.colors import PALETTE, ColorName, color_histogram

# GA 24.4 vehicle type codes (机动车车辆类型) for the detector classes we can tell apart.
VEHICLE_CLASS_CODES: dict[str, str] = {"car": "K33", "bus": "K11", "truck": "H30", "motorcycle": "M21"}
_ACHROMATIC_BIAS = 0.8  # glass and shadow inflate black/gray; a chromatic colour wins within this factor


def vehicle_color(crop: np.ndarray) -> ColorName | None:
    h, w = crop.shape[:2]
    band = crop[int(0.4 * h) : int(0.85 * h), int(0.12 * w) : int(0.88 * w)]
    hist = color_histogram(band)
    if hist.sum() <= 0:
        return None
    scaled = hist.copy()
    for name in ("black", "gray"):
        scaled[PALETTE.index(name)] *= _ACHROMATIC_BIAS
    i = int(np.argmax(scaled))
    return ColorName(PALETTE[i], round(float(hist[i]), 3))


def vehicle_attributes(crop: np.ndarray, object_class: str) -> dict[str, Any]:
    """Colour (GA/T 1400 code) and type (GA 24.4 code) of a vehicle crop, each with a confidence."""
    out: dict[str, Any] = {}
    colour = vehicle_color(crop)
    if colour is not None:
        out["vehicle_color"] = {"value": colour.name, "code": colour.code, "confidence": colour.confidence}
    code = VEHICLE_CLASS_CODES.get(object_class)
    if code is not None:
        out["vehicle_class"] = {"value": object_class, "code": code, "confidence": None}
    return out
