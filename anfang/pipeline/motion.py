"""Motion gate: skip the detector while nothing in the picture changes.

Most security cameras watch an empty scene most of the time; a detector call costs 10-100 ms, a frame
difference on a ≤320-px grey thumbnail costs well under a millisecond. The gate compares each checked
frame with the previous one (blurred, so sensor noise and compression shimmer do not count) and reports
motion when more than ``threshold`` of the pixels changed. After motion stops it keeps saying "motion" for
``hold_s`` seconds so the detector sees people stop or leave and the tracker ends their tracks cleanly.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import cv2
import numpy as np

from anfang.config.models import MotionConfig

MAX_WIDTH = 320
PIXEL_DELTA = 20  # grey-level change that counts a pixel as changed (after blur)


class MotionGate:
    """Decides per frame whether the detector should run."""

    def __init__(self, config: MotionConfig | None = None, clock: Callable[[], float] = time.time) -> None:
        self.config = config or MotionConfig()
        self.clock = clock
        self.last_fraction = 0.0  # changed-pixel fraction of the last check (for status and tuning)
        self._prev: np.ndarray | None = None
        self._last_motion: float | None = None

    def reset(self) -> None:
        self._prev = None
        self._last_motion = None

    def _thumbnail(self, image: np.ndarray) -> np.ndarray:
        h, w = image.shape[:2]
        if w > MAX_WIDTH:
            image = cv2.resize(image, (MAX_WIDTH, max(1, round(h * MAX_WIDTH / w))), interpolation=cv2.INTER_AREA)
        grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
        return cv2.GaussianBlur(grey, (5, 5), 0)

    def has_motion(self, image: np.ndarray, timestamp: float | None = None) -> bool:
        """Whether ``image`` differs from the previously checked one (or did within ``hold_s``).

        ``timestamp`` is the frame's time (offline analysis runs faster than real time); defaults to the clock.
        The first frame counts as motion: the detector must see what is already in the scene.
        """
        if not self.config.enabled:
            return True
        now = self.clock() if timestamp is None else timestamp
        thumb = self._thumbnail(image)
        prev, self._prev = self._prev, thumb
        if prev is None or prev.shape != thumb.shape:
            self.last_fraction = 1.0
            moving = True
        else:
            diff = cv2.absdiff(thumb, prev)
            self.last_fraction = float(np.count_nonzero(diff > PIXEL_DELTA)) / diff.size
            moving = self.last_fraction > self.config.threshold
        if moving:
            self._last_motion = now
            return True
        return self._last_motion is not None and now - self._last_motion <= self.config.hold_s
