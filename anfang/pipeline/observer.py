"""Observers: per-camera stages that watch the analysed stream without changing it.

Recording, structured records (best snapshot per finished track), heatmaps and face watchlists all need
every frame together with its tracked detections, but must not reach into the pipeline's internals. Each
is a small class built per camera by a factory the platform registers with the :class:`PipelineManager`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from anfang.config.models import CameraConfig
from anfang.core.detections import Detections
from anfang.core.frame import Frame
from anfang.events.model import Event


class FrameObserver(Protocol):
    """Sees each frame after tracking and rules.

    ``detected`` says whether the detector ran on this frame (otherwise ``tracked`` are the last known
    tracks). Returned events are emitted like rule events (snapshot and crop added, then the sink).
    ``close`` is called when the camera's pipeline stops or restarts, so open files can be finished.
    """

    def on_frame(self, frame: Frame, tracked: Detections, detected: bool) -> list[Event] | None: ...

    def close(self) -> None: ...


ObserverFactory = Callable[[CameraConfig], FrameObserver]
