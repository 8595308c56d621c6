"""The running system in one object: store, bus, detector and camera pipelines, wired together.

The API and the CLI only talk to :class:`Platform`; it owns the order of things (migrate before the first
event, persist a camera change before applying it, purge old events on a schedule) so those rules live in
one place rather than in every caller.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from anfang.analytics.heatmap import Heatmaps
from anfang.config.models import AppConfig, CameraConfig
from anfang.events.bus import EventBus
from anfang.events.model import Event
from anfang.store.cameras import CameraStore
from anfang.store.db import make_engine
from anfang.store.events import EventStore
from anfang.store.migrate import upgrade
from anfang.vision.base import Detector

if TYPE_CHECKING:
    from anfang.core.detections import Detections
    from anfang.core.frame import Frame
    from anfang.pipeline.manager import PipelineManager
    from anfang.pipeline.observer import ObserverFactory

log = logging.getLogger(__name__)

RETENTION_INTERVAL_S = 3600.0


class CameraExistsError(ValueError):
    """A camera with that id is already configured."""


def _security(platform: Platform) -> None:
    from anfang.security.wiring import attach

    attach(platform)  # sets platform.security_config, .keys, .audit, .users, .masker


def _detector(platform: Platform) -> None:
    if platform.detector is None:
        from anfang.models.paths import default_models_dir
        from anfang.vision.registry import create_detector

        cfg = platform.config
        platform.detector = create_detector(cfg.detector, cfg.models_dir or default_models_dir())


def _records(platform: Platform) -> None:
    if platform.config.records.enabled:
        from anfang.structuring.wiring import attach

        attach(platform)


def _recording(platform: Platform) -> None:
    from anfang.recording.wiring import attach

    attach(platform)


def _faces(platform: Platform) -> None:
    from anfang.faces.wiring import attach

    attach(platform)  # no-op unless faces.enabled


def _heatmaps(platform: Platform) -> None:
    platform.heatmaps = Heatmaps.install(platform.observer_factories)


def _pipelines(platform: Platform) -> None:
    from anfang.pipeline.manager import PipelineManager  # imported late: pulls in video decoding

    platform.manager = PipelineManager(platform.detector, platform.sink, platform.observer_factories)


def _gb28181(platform: Platform) -> None:
    from anfang.gb28181.wiring import attach

    platform.gb28181 = attach(platform)


# How a Platform is put together after its store, in this order (each step is run once, from __init__):
WIRING: tuple[Callable[[Platform], None], ...] = (
    _security,  # keys, audit, users, signed evidence, masking: first, before anything that stores or serves media
    _detector,  # the shared detector: the one passed to Platform(), else the configured plug-in
    _records,  # structured records (GA/T 1400) from finished tracks, searchable; when records.enabled
    _recording,  # recorder + playback service (a per-camera observer)
    _faces,  # face watchlists (布控); a per-camera observer when faces.enabled
    _heatmaps,  # person heatmaps for the console: an observer, after the feature observers
    _pipelines,  # the PipelineManager, built once every observer factory above is registered
    _gb28181,  # GB/T 28181 SIP server when gb28181.enabled, else None: last, it adds cameras to a whole platform
)


class Platform:
    """Everything a running anfang needs; ``start()`` runs the cameras, ``stop()`` releases them.

    Camera changes (``add_camera`` / ``update_camera`` / ``remove_camera``) are validated, written to the
    database, then applied to the running pipelines, so they take effect at once and survive a restart.
    """

    def __init__(self, config: AppConfig, detector: Detector | None = None) -> None:
        import anfang.pipeline.manager  # noqa: F401  # imported late (pulls in video decoding), but first

        self.config = config
        self.data_dir = Path(config.data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.engine = make_engine(config.store.url, self.data_dir)
        upgrade(self.engine)
        self.events = EventStore(self.engine, self.data_dir / "media")
        self.camera_store = CameraStore(self.engine)
        self.bus = EventBus()
        self.detector: Detector = detector  # type: ignore[assignment]  # None until the _detector step
        self.observer_factories: list[ObserverFactory] = []  # features add per-camera stages before start()
        self.manager: PipelineManager  # built by the _pipelines step
        self.heatmaps: Heatmaps  # set by the _heatmaps step
        self.gb28181: Any = None  # set by the _gb28181 step
        self._origin: dict[str, str] = {c.id: "config" for c in config.cameras}
        self._camera_lock = threading.RLock()
        self._stop = threading.Event()
        self._retention: threading.Thread | None = None
        self._started = False
        self._ever_started = False
        self.started_at: float | None = None
        for step in WIRING:
            step(self)

    # ------------------------------------------------------------ lifecycle

    def initial_cameras(self) -> list[CameraConfig]:
        """Config-file cameras merged with API changes: stored configs win, deleted ids are dropped."""
        stored, deleted = self.camera_store.load()
        by_id: dict[str, CameraConfig] = {c.id: c for c in self.config.cameras if c.id not in deleted}
        for cam in stored:
            by_id[cam.id] = cam
            self._origin[cam.id] = "api"
        return list(by_id.values())

    def start(self) -> None:
        """Start every camera and the retention thread (idempotent; a camera that fails to start is logged
        and skipped, because one bad camera must not keep the others dark)."""
        from anfang.pipeline.manager import PipelineManager

        with self._camera_lock:
            if self._started:
                return
            if self._ever_started:  # a stopped manager still remembers its cameras: start from a clean one
                self.manager = PipelineManager(self.detector, self.sink, self.observer_factories)
            self._started = self._ever_started = True
            self._stop.clear()
            if self.gb28181 is not None:
                self.gb28181.start()
            for cam in self.initial_cameras():
                try:
                    self.manager.add(cam)
                except Exception:
                    log.exception("camera %s could not be started; the others carry on", cam.id)
        self.started_at = time.time()
        self._retention = threading.Thread(target=self._retention_loop, name="anfang-retention", daemon=True)
        self._retention.start()
        log.info("platform started: %d cameras, data in %s", len(self.manager.cameras()), self.data_dir)

    def stop(self) -> None:
        """Stop cameras and background work, then release the database (idempotent)."""
        with self._camera_lock:
            if not self._started:
                return
            self._started = False
        self._stop.set()
        if self._retention is not None:
            self._retention.join()
            self._retention = None
        self.manager.stop()
        if self.gb28181 is not None:
            self.gb28181.stop()
        self.audit.checkpoint()  # sign the audit head at shutdown
        self.engine.dispose()
        log.info("platform stopped")

    def __enter__(self) -> Platform:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._started

    # ------------------------------------------------------------ events

    def sink(self, event: Event) -> None:
        """What pipelines call for every event: persist first (so it is durable), then announce it."""
        try:
            self.events.add(event)
        except Exception:
            # Still announce it: a full disk must not also blind the live view.
            log.exception("could not store event %s from camera %s", event.id, event.camera_id)
        self.bus.publish(event)

    def purge_expired(self, now: float | None = None) -> int:
        """Delete events older than ``store.retention_days``; returns how many were removed."""
        cutoff = (time.time() if now is None else now) - self.config.store.retention_days * 86400.0
        return self.events.purge(cutoff)

    def _retention_loop(self) -> None:
        while True:
            try:
                self.purge_expired()
            except Exception:
                log.exception("retention purge failed; will retry in an hour")
            if self._stop.wait(RETENTION_INTERVAL_S):
                return

    # ------------------------------------------------------------ cameras

    def cameras(self) -> list[CameraConfig]:
        return self.manager.cameras() if self._started else self.initial_cameras()

    def camera(self, camera_id: str) -> CameraConfig:
        """The camera's config; ``KeyError`` if there is no such camera."""
        for cam in self.cameras():
            if cam.id == camera_id:
                return cam
        raise KeyError(camera_id)

    def camera_origin(self, camera_id: str) -> str:
        """``"config"`` for a config-file camera never changed by the API, else ``"api"``."""
        return self._origin.get(camera_id, "api")

    def add_camera(self, camera: CameraConfig | dict[str, Any]) -> CameraConfig:
        """Validate, persist and start a new camera.

        Raises :class:`CameraExistsError` if the id is taken, ``ValueError`` (with the database change
        undone) if the pipeline rejects the config.
        """
        cfg = _validated(camera)
        with self._camera_lock:
            if any(c.id == cfg.id for c in self.cameras()):
                raise CameraExistsError(f"camera {cfg.id!r} already exists")
            self.camera_store.save(cfg)
            try:
                if self._started:
                    self.manager.add(cfg)
            except Exception as err:
                self.camera_store.forget(cfg.id)
                raise ValueError(f"camera {cfg.id!r} rejected: {err}") from err
            self._origin[cfg.id] = "api"
        log.info("camera %s added", cfg.id)
        return cfg

    def update_camera(self, camera_id: str, camera: CameraConfig | dict[str, Any]) -> CameraConfig:
        """Replace a camera's config and restart that camera only.

        Raises ``KeyError`` if unknown, ``ValueError`` on an id mismatch or when the pipeline rejects the
        config (then the old config is stored and running again).
        """
        cfg = _validated(camera)
        if cfg.id != camera_id:
            raise ValueError(f"body id {cfg.id!r} does not match camera {camera_id!r}")
        with self._camera_lock:
            old = self.camera(camera_id)  # KeyError if unknown
            old_origin = self.camera_origin(camera_id)
            self.camera_store.save(cfg)
            try:
                if self._started:
                    self.manager.update(cfg)
            except Exception as err:
                if old_origin == "config":
                    self.camera_store.forget(camera_id)
                else:
                    self.camera_store.save(old)
                if self._started:
                    try:
                        self.manager.update(old)
                    except Exception:
                        log.exception("camera %s: the previous config does not start again either", camera_id)
                raise ValueError(f"camera {camera_id!r} rejected: {err}") from err
            self._origin[cfg.id] = "api"
        log.info("camera %s updated", cfg.id)
        return cfg

    def remove_camera(self, camera_id: str) -> None:
        """Stop and forget a camera (a config-file one too, until re-added); ``KeyError`` if unknown."""
        with self._camera_lock:
            self.camera(camera_id)
            self.camera_store.delete(camera_id)
            self._origin.pop(camera_id, None)
            if self._started:
                self.manager.remove(camera_id)
        log.info("camera %s removed", camera_id)

    # ------------------------------------------------------------ live state

    def camera_status(self) -> dict[str, dict[str, Any]]:
        """Per-camera pipeline status as plain dicts (empty before ``start()``)."""
        if not self._started:
            return {}
        return {cid: st.to_dict() for cid, st in self.manager.status().items()}

    def latest(self, camera_id: str) -> tuple[Frame, Detections] | None:
        """The camera's newest frame and its detections; ``KeyError`` if the camera is unknown."""
        self.camera(camera_id)
        return self.manager.latest(camera_id) if self._started else None

    def rule_stats(self, camera_id: str) -> dict[str, Any]:
        if not self._started:
            return {}
        try:
            return self.manager.rule_stats(camera_id)
        except KeyError:
            return {}


def _validated(camera: CameraConfig | dict[str, Any]) -> CameraConfig:
    # Re-validate even a CameraConfig: a caller may have mutated it after construction.
    data = camera.model_dump() if isinstance(camera, CameraConfig) else camera
    return CameraConfig.model_validate(data)
