"""A decoded video frame as it enters the pipeline."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(slots=True)
class Frame:
    """One decoded picture from one camera.

    ``timestamp`` is wall-clock seconds (epoch) for live sources and stream time offset by the start
    time for files, so rules measure dwell times in the camera's own time, not in processing time.
    """

    camera_id: str
    seq: int  # 0-based sequence number within this source session
    pts: float  # presentation time in seconds from the start of the stream
    timestamp: float  # epoch seconds
    image: np.ndarray  # H x W x 3 uint8, BGR (OpenCV order)

    @property
    def width(self) -> int:
        return int(self.image.shape[1])

    @property
    def height(self) -> int:
        return int(self.image.shape[0])
