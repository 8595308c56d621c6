"""The one interface every detector plug-in implements."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np

from anfang.core.detections import Detections


@runtime_checkable
class Detector(Protocol):
    """Turns a BGR image into detections in that image's pixel coordinates.

    Class ids are already mapped to :mod:`anfang.core.taxonomy`. Implementations must be safe to call
    from several camera threads at once (onnxruntime sessions are), or guard themselves with a lock.
    """

    name: str

    def detect(self, image: np.ndarray) -> Detections: ...
