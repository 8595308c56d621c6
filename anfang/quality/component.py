"""Video quality diagnosis (视频质量诊断) as a component: a per-camera observer that checks one frame every
``interval_s`` (frame time), a watchdog for cameras that deliver nothing, and the health routes.

Why an observer: it sees every frame the pipeline decodes without touching detection, and it can return
events (the pipeline adds the snapshot, so a "covered lens" alarm shows the covered picture). A source
that goes silent produces no frames at all, so signal loss by silence needs the watchdog thread here.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from anfang.component import Component, Context
from anfang.quality.config import effective
from anfang.quality.health import CameraHealth

if TYPE_CHECKING:
    from fastapi import APIRouter

    from anfang.config.models import AppConfig, CameraConfig
    from anfang.core.detections import Detections
    from anfang.core.frame import Frame
    from anfang.events.model import Event
    from anfang.pipeline.observer import ObserverFactory

log = logging.getLogger(__name__)


class QualityObserver:
    """One camera's stage: a check when one is due; ``online`` comes from the source's own state."""

    def __init__(self, health: CameraHealth) -> None:
        self.health = health
        self.source: Any = None
        health.running = True

    def attach_source(self, source: Any) -> None:
        self.source = source

    def on_frame(self, frame: Frame, tracked: Detections, detected: bool) -> list[Event] | None:
        self.health.last_seen = time.time()
        if not self.health.due(frame.timestamp):
            return None
        online = self.source is None or getattr(self.source, "state", "online") in ("online", "starting")
        return self.health.check(frame.image, frame.timestamp, online)

    def close(self) -> None:
        self.health.running = False


class Quality(Component):
    """``cameras``: every camera's :class:`~anfang.quality.health.CameraHealth` (kept across restarts)."""

    name = "quality"

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.config = ctx.config.quality
        self.cameras: dict[str, CameraHealth] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @classmethod
    def enabled(cls, config: AppConfig) -> bool:
        return config.quality.enabled

    def health(self, camera: CameraConfig) -> CameraHealth:
        cfg = effective(self.config, camera.quality)
        with self._lock:
            found = self.cameras.get(camera.id)
            if found is None:
                found = self.cameras[camera.id] = CameraHealth(camera.id, camera.name, cfg)
            else:
                found.reconfigure(camera.name, cfg)
            return found

    def observer(self, camera: CameraConfig) -> QualityObserver | _Off:
        health = self.health(camera)
        return QualityObserver(health) if health.config.enabled else _Off()

    def observers(self) -> Sequence[ObserverFactory]:
        return (self.observer,)

    @classmethod
    def routers(cls) -> Sequence[APIRouter]:
        from anfang.api.routers import quality as route

        return (route.router,)

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._watch, name="anfang-quality-watchdog", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5.0)
            self._thread = None

    def sweep(self, now: float | None = None) -> int:
        """Signal loss for running cameras whose source sent nothing for ``stale_s``; returns events sent."""
        now = time.time() if now is None else now
        sent = 0
        with self._lock:
            healths = list(self.cameras.values())
        for h in healths:
            if not h.running or not h.config.enabled or "signal_loss" not in h.config.checks:
                continue
            seen = h.last_seen
            if seen is not None and now - seen < h.config.stale_s:
                continue
            if seen is None:  # never had a frame: count from when the camera started
                h.last_seen = seen = now
                continue
            for event in h.offline(now, f"no frame for {now - seen:.0f} s"):
                try:
                    self.ctx.sink(event)
                    sent += 1
                except Exception:
                    log.exception("quality: could not deliver %s for camera %s", event.type, h.camera_id)
        return sent

    def _watch(self) -> None:
        while not self._stop.wait(max(1.0, min(self.config.interval_s, self.config.stale_s / 2))):
            try:
                self.sweep()
            except Exception:
                log.exception("quality watchdog failed; will retry")


class _Off:
    """The stage of a camera whose diagnosis is switched off (``cameras[].quality.enabled: false``)."""

    def on_frame(self, frame: Frame, tracked: Detections, detected: bool) -> list[Event] | None:
        return None

    def close(self) -> None:
        return None
