"""The running system in one object: the core (store, keys, media policy, bus, cameras) and its components.

The API and the CLI only talk to :class:`Platform`; it owns the order of things (migrate before the first
event, persist a camera change before applying it, purge old data on a schedule) so those rules live in
one place rather than in every caller. Features are :class:`~anfang.component.Component` classes: the
platform builds every enabled one, in the order their ``needs`` give, with one typed
:class:`~anfang.component.Context`, and offers them as ``platform.get(Security)`` / ``platform.find(Faces)``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from anfang.component import COMPONENTS, C, Component, ComponentError, Context, component_classes
from anfang.config.models import AppConfig, CameraConfig
from anfang.events.bus import EventBus
from anfang.events.model import Event
from anfang.security.keys import KeyStore
from anfang.security.media import MediaPolicy
from anfang.security.secrets import SecretBox
from anfang.store.cameras import CameraStore
from anfang.store.db import make_engine
from anfang.store.events import EventStore
from anfang.store.migrate import upgrade
from anfang.store.space import DiskGuard
from anfang.vision.base import Detector

if TYPE_CHECKING:
    from anfang.core.detections import Detections
    from anfang.core.frame import Frame
    from anfang.pipeline.manager import PipelineManager
    from anfang.pipeline.observer import ObserverFactory
    from anfang.security.audit import AuditLog
    from anfang.security.users import UserService

log = logging.getLogger(__name__)

RETENTION_INTERVAL_S = 3600.0


class CameraExistsError(ValueError):
    """A camera with that id is already configured."""


class Platform:
    """Everything a running anfang needs; ``start()`` runs the cameras, ``stop()`` releases them.

    Camera changes (``add_camera`` / ``update_camera`` / ``remove_camera``) are validated, written to the
    database, then applied to the running pipelines, so they take effect at once and survive a restart.
    It is the components' :class:`~anfang.component.CameraRegistry` and :class:`~anfang.component.Components`.
    ``detector`` (tests) replaces the configured one in the detection component.
    """

    def __init__(
        self, config: AppConfig, detector: Detector | None = None, components: Iterable[str] = COMPONENTS
    ) -> None:
        import anfang.pipeline.manager  # noqa: F401  # imported late (pulls in video decoding), but first
        from anfang.models.paths import default_models_dir

        self.config = config
        self.data_dir = Path(config.data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.models_dir = Path(config.models_dir or default_models_dir())
        self.engine = make_engine(config.store.url, self.data_dir)
        upgrade(self.engine)
        self.keys = KeyStore(self.data_dir)  # SM2 platform key under <data_dir>/keys
        self.keys.ensure()
        # The evidence policy every store that writes pictures is built with (signing, SM4 at rest).
        self.media = MediaPolicy.from_config(config.security, self.data_dir, self.keys)
        # The free-space policy: every writer of the data dir asks it first (docs/recording.md, "Full disk").
        self.space = DiskGuard(self.data_dir, config.store.space)
        self.events = EventStore(self.engine, self.data_dir / "media", self.media, self.space)
        self.camera_store = CameraStore(self.engine, SecretBox(self.keys.root))  # device passwords SM4-sealed
        self.bus = EventBus()
        self._origin: dict[str, str] = {c.id: "config" for c in config.cameras}
        self._camera_lock = threading.RLock()
        self._stop = threading.Event()
        self._retention: threading.Thread | None = None
        self._started = False
        self._ever_started = False
        self.started_at: float | None = None
        self._components: dict[type[Component], Component] = {}
        self.context = Context(
            config=config,
            data_dir=self.data_dir,
            models_dir=self.models_dir,
            engine=self.engine,
            bus=self.bus,
            keys=self.keys,
            media=self.media,
            events=self.events,
            sink=self.sink,
            cameras=self,
            components=self,
            space=self.space,
        )
        # Every registered component class in start order, enabled or not (the API mounts all their routes).
        self.registered: list[type[Component]] = component_classes(components)
        self._build(self.registered, _overrides(detector))
        # Per-camera stages, in component order (built anew at each camera start); callers may add more
        # before start().
        self.observer_factories: list[ObserverFactory] = [
            factory for component in self._components.values() for factory in component.observers()
        ]
        self.manager: PipelineManager = self._new_manager()

    def _build(
        self, classes: list[type[Component]], overrides: Mapping[type[Component], Callable[[Context], Component]]
    ) -> None:
        """Every enabled component, in start order (each after what it needs)."""
        for cls in classes:
            if not cls.enabled(self.config):
                log.debug("component %s is off", cls.name)
                continue
            missing = [need.name for need in cls.needs if need not in self._components]
            if missing:
                raise ComponentError(f"component {cls.name!r} needs {', '.join(missing)}, which is off")
            make = overrides.get(cls, cls)
            self._components[cls] = make(self.context)

    def _new_manager(self) -> PipelineManager:
        from anfang.pipeline.manager import PipelineManager

        return PipelineManager(self.detector, self.sink, self.observer_factories, components=self)

    # ------------------------------------------------------------ components

    def get(self, kind: type[C]) -> C:
        """The running component of class ``kind``; ``ComponentError`` when it is not registered or off."""
        found = self.find(kind)
        if found is None:
            raise ComponentError(f"component {kind.name!r} is not running")
        return found

    def find(self, kind: type[C]) -> C | None:
        """The running component of class ``kind`` (or a subclass), ``None`` when there is none."""
        component = self._components.get(kind)
        if component is None:
            component = next((c for c in self._components.values() if isinstance(c, kind)), None)
        return component if isinstance(component, kind) else None

    def components(self) -> list[Component]:
        """The running components, in start order."""
        return list(self._components.values())

    @property
    def detector(self) -> Detector:
        """The detector every camera shares (the detection component's)."""
        from anfang.vision.component import Detection

        return self.get(Detection).detector

    @property
    def users(self) -> UserService:
        """Shortcut for ``get(Security).users`` (accounts, sessions, tokens)."""
        from anfang.security.component import Security

        return self.get(Security).users

    @property
    def audit(self) -> AuditLog:
        """Shortcut for ``get(Security).audit`` (the SM3/SM2 audit chain)."""
        from anfang.security.component import Security

        return self.get(Security).audit

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
        with self._camera_lock:
            if self._started:
                return
            if self._ever_started:  # a stopped manager still remembers its cameras: start from a clean one
                self.manager = self._new_manager()
            self._started = self._ever_started = True
            self._stop.clear()
            self.space.start(self.sink)  # first: a component's start may already meet a full disk
            for component in self._components.values():  # in dependency order, before the cameras
                component.start()
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
        for component in reversed(self._components.values()):  # after the cameras, dependents first
            try:
                component.stop()
            except Exception:
                log.exception("component %s did not stop cleanly", component.name)
        self.space.stop()
        self.events.flush_backlog()
        if self.events.backlog:  # the database is still full: these rows cannot be kept
            log.error("platform stopping on a full disk: %d held events could not be stored", self.events.backlog)
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
        """The retention pass: events older than ``store.retention_days``, then every component's own
        ``purge(now)`` (per-type retention, records, ...). Returns how many events the store removed."""
        now = time.time() if now is None else now
        removed = self.events.purge(now - self.config.store.retention_days * 86400.0)
        for component in self._components.values():
            try:
                component.purge(now)
            except Exception:
                log.exception("retention: component %s failed; the others carry on", component.name)
        return removed

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
        storage = self.space.status_line()  # one disk for every camera: e.g. "degraded — pictures paused"
        return {cid: {**st.to_dict(), "storage": storage} for cid, st in self.manager.status().items()}

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


def _overrides(detector: Detector | None) -> dict[type[Component], Callable[[Context], Component]]:
    """How to build components that take more than the context: the injected detector."""
    if detector is None:
        return {}
    from anfang.vision.component import Detection

    return {Detection: lambda ctx: Detection(ctx, detector)}
