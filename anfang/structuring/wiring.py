"""Connects records to a :class:`~anfang.platform.Platform`: one service, one observer per camera.

``attach(platform)`` is the single call the platform makes when ``records.enabled``; the API and the CLI use
``service_for(platform)``, which also works on a platform without the observer (search over records written
earlier, or by another process), building the service on first use.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from anfang.search.index import AnnIndex
from anfang.structuring.builder import RecordBuilder
from anfang.structuring.config import RecordsConfig
from anfang.structuring.faces import FACE_DIM
from anfang.structuring.service import RecordService
from anfang.structuring.store import RecordStore

_LOCK = threading.Lock()
RETENTION_CHECK_S = 3600.0


def open_service(
    engine: Any, data_dir: Path, cfg: RecordsConfig, models_dir: Path | None, protector: Any = None
) -> RecordService:
    """Service over ``data_dir`` (records under ``records/``, index under ``index/``); the index is loaded,
    and topped up from the database if rows were written that it never saw. ``protector``: the platform's
    evidence media policy (``platform.media``), so record pictures are encrypted/signed like event ones."""
    store = RecordStore(engine, Path(data_dir) / "records", protector)
    service = RecordService(store, AnnIndex(1, None), cfg, models_dir)  # placeholder until the dim is known
    service.index = AnnIndex.open(Path(data_dir) / "index", service.embedder.dim, cfg.index_backend)
    service.face_index = AnnIndex.open(Path(data_dir) / "index-face", FACE_DIM, cfg.index_backend)
    if service.rebuild_index():
        service.maybe_save(force=True)
    return service


def _models_dir(platform: Any) -> Path | None:
    from anfang.models.paths import default_models_dir

    return platform.config.models_dir or default_models_dir()


def _config(platform: Any) -> RecordsConfig:
    return getattr(platform.config, "records", None) or RecordsConfig()


def service_for(platform: Any) -> RecordService:
    """The platform's record service (created on first use)."""
    with _LOCK:
        service = getattr(platform, "records", None)
        if service is None:
            service = open_service(
                platform.engine,
                platform.data_dir,
                _config(platform),
                _models_dir(platform),
                getattr(platform, "media", None),
            )
            platform.records = service
        return service


def attach(platform: Any) -> RecordService:
    """Register the per-camera record builder and retention on ``platform`` (call before ``start()``)."""
    service = service_for(platform)
    cfg = _config(platform)
    days = cfg.retention_days or platform.config.store.retention_days
    state = {"next": 0.0}

    def factory(camera: Any) -> RecordBuilder:
        builder = RecordBuilder(camera, service)
        original = builder.on_frame

        def on_frame(frame: Any, tracked: Any, detected: bool) -> Any:
            now = time.time()
            if now >= state["next"]:  # retention rides on the camera threads: no extra thread to stop
                state["next"] = now + RETENTION_CHECK_S
                service.purge(now - days * 86400.0)
            return original(frame, tracked, detected)

        builder.on_frame = on_frame  # type: ignore[method-assign]
        return builder

    platform.observer_factories.append(factory)
    return service
