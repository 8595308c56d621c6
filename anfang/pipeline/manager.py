"""All cameras of one node: start, reconfigure and stop pipelines independently.

Each camera runs in its own :class:`~anfang.pipeline.camera.CameraPipeline` thread; decode and inference
release the GIL, so threads are enough on one node. Reconfiguring a camera restarts only that camera.
The detector is shared (detectors are thread-safe by contract), which keeps one copy of the weights.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from anfang.config.models import CameraConfig
from anfang.core.detections import Detections
from anfang.core.frame import Frame
from anfang.events.model import Event
from anfang.pipeline.camera import CameraPipeline, CameraState, CameraStatus
from anfang.pipeline.observer import ObserverFactory
from anfang.vision.base import Detector

if TYPE_CHECKING:
    from anfang.component import Components

log = logging.getLogger(__name__)


class PipelineManager:
    """Owns one pipeline per configured camera (disabled cameras are remembered but not run)."""

    def __init__(
        self,
        detector: Detector,
        sink: Callable[[Event], None],
        observers: Sequence[ObserverFactory] = (),
        components: Components | None = None,
    ) -> None:
        self.detector = detector
        self.sink = sink
        self.components = components  # handed to each camera's source (a GB/T 28181 one needs its service)
        self.observer_factories = list(observers)  # built anew per camera start (recorder, records, ...)
        self._configs: dict[str, CameraConfig] = {}
        self._pipelines: dict[str, CameraPipeline] = {}
        self._build_errors: dict[str, str] = {}
        self._lock = threading.RLock()

    def _launch(self, camera: CameraConfig) -> None:
        """Build and start one camera; a camera whose pipeline cannot even be built shows state "error"."""
        self._configs[camera.id] = camera
        self._build_errors.pop(camera.id, None)
        if not camera.enabled:
            return
        try:
            observers = [make(camera) for make in self.observer_factories]
            pipeline = CameraPipeline(camera, self.detector, self.sink, observers=observers, components=self.components)
        except Exception as exc:  # e.g. a rule the engine rejects: this camera only, never the others
            log.exception("camera %s: cannot build its pipeline", camera.id)
            self._build_errors[camera.id] = f"cannot build pipeline: {exc}"
            return
        self._pipelines[camera.id] = pipeline
        pipeline.start()

    def _halt(self, camera_id: str) -> None:
        pipeline = self._pipelines.pop(camera_id, None)
        if pipeline is not None:
            pipeline.stop()

    def start(self, cameras: list[CameraConfig]) -> None:
        """Start every enabled camera's thread."""
        with self._lock:
            for camera in cameras:
                if camera.id in self._configs:
                    raise ValueError(f"camera {camera.id!r} is already managed")
                self._launch(camera)

    def add(self, camera: CameraConfig) -> None:
        with self._lock:
            if camera.id in self._configs:
                raise ValueError(f"camera {camera.id!r} already exists")
            self._launch(camera)

    def update(self, camera: CameraConfig) -> None:
        """Restart that one camera with the new config; the others keep running untouched."""
        with self._lock:
            if camera.id not in self._configs:
                raise KeyError(camera.id)
            self._halt(camera.id)
            self._launch(camera)

    def remove(self, camera_id: str) -> None:
        with self._lock:
            if camera_id not in self._configs:
                raise KeyError(camera_id)
            self._halt(camera_id)
            del self._configs[camera_id]
            self._build_errors.pop(camera_id, None)

    def stop(self) -> None:
        """Stop all cameras (in parallel: a blocked RTSP read takes up to its socket timeout) and join."""
        with self._lock:
            pipelines = list(self._pipelines.values())
            self._pipelines.clear()
        stoppers = [threading.Thread(target=p.stop, daemon=True) for p in pipelines]
        for t in stoppers:
            t.start()
        for t in stoppers:
            t.join()

    def cameras(self) -> list[CameraConfig]:
        with self._lock:
            return list(self._configs.values())

    def _pipeline(self, camera_id: str) -> CameraPipeline | None:
        with self._lock:
            if camera_id not in self._configs:
                raise KeyError(camera_id)
            return self._pipelines.get(camera_id)

    def status(self) -> dict[str, CameraStatus]:
        with self._lock:
            out: dict[str, CameraStatus] = {}
            for cid, cfg in self._configs.items():
                pipeline = self._pipelines.get(cid)
                if pipeline is not None:
                    out[cid] = pipeline.status()
                else:  # disabled, stopped, or could not be built
                    error = self._build_errors.get(cid)
                    state: CameraState = "error" if error else "stopped"
                    out[cid] = CameraStatus(cid, cfg.name, state, 0.0, 0.0, 0, 0, 0, error, None)
            return out

    def latest(self, camera_id: str) -> tuple[Frame, Detections] | None:
        """Newest frame + detections; ``None`` before the first frame; ``KeyError`` for an unknown camera."""
        pipeline = self._pipeline(camera_id)
        return None if pipeline is None else pipeline.latest()

    def rule_stats(self, camera_id: str) -> dict[str, Any]:
        pipeline = self._pipeline(camera_id)
        return {} if pipeline is None else pipeline.rule_stats()
