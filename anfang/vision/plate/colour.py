"""Plate colour from the crop's HSV pixels: blue, yellow, green, white or black.

The background covers most of a plate, so a vote of pixels by hue/saturation/value band decides. Blue and
yellow plates are strongly saturated; new-energy green plates are a green-to-white gradient (so green wins
on any clear share of green pixels); white (police, military) and black (foreign, HK/Macau) plates are
unsaturated and differ by brightness.
"""

from __future__ import annotations

import cv2
import numpy as np

COLOURS = ("blue", "yellow", "green", "white", "black")


def plate_colour(crop_bgr: np.ndarray) -> tuple[str, float]:
    """``(colour, share)``: the winning colour and the fraction of pixels that voted for it."""
    if crop_bgr.size == 0:
        return "unknown", 0.0
    h, w = crop_bgr.shape[:2]
    # the inner 80 % avoids the frame, bolts and the car body around a loose crop
    inner = crop_bgr[int(h * 0.1) : max(int(h * 0.9), 1), int(w * 0.05) : max(int(w * 0.95), 1)]
    hsv = cv2.cvtColor(inner, cv2.COLOR_BGR2HSV).reshape(-1, 3).astype(np.int32)
    hue, sat, val = hsv[:, 0], hsv[:, 1], hsv[:, 2]
    saturated = (sat >= 70) & (val >= 50)
    votes = {
        "blue": int(np.count_nonzero(saturated & (hue >= 85) & (hue <= 130))),
        "yellow": int(np.count_nonzero(saturated & (hue >= 11) & (hue <= 34))),
        "green": int(np.count_nonzero(saturated & (hue >= 35) & (hue <= 84))),
        "white": int(np.count_nonzero((sat < 50) & (val >= 150))),
        "black": int(np.count_nonzero(val < 60)),
    }
    total = max(len(hsv), 1)
    # gradient plates: green covers only part of the background, so a clear share beats a white majority
    if votes["green"] >= 0.25 * total and votes["green"] > votes["blue"]:
        return "green", votes["green"] / total
    if votes["black"] > votes["blue"] and votes["blue"] >= 0.15 * total:  # a dim blue plate at night
        return "blue", votes["blue"] / total
    colour = max(votes, key=votes.__getitem__)
    return colour, votes[colour] / total
