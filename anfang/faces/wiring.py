"""How the face library joins the platform: one ``attach(platform)`` call, a no-op unless ``faces.enabled``.

The API's watchlist routes work whether or not live matching is on (an operator can prepare watchlists
before enabling it); :func:`library_for` builds the library on first use and caches it on the platform.
"""

from __future__ import annotations

import threading
from typing import Any

from anfang.faces.config import FacesConfig
from anfang.faces.library import FaceLibrary

_LOCK = threading.Lock()


def faces_config(platform: Any) -> FacesConfig:
    cfg = getattr(platform.config, "faces", None)
    return cfg if isinstance(cfg, FacesConfig) else FacesConfig()


def library_for(platform: Any) -> FaceLibrary:
    with _LOCK:
        library = getattr(platform, "face_library", None)
        if library is None:
            from anfang.models.paths import default_models_dir
            from anfang.vision.face.analyze import FaceAnalyzer

            models_dir = platform.config.models_dir or default_models_dir()
            analyzer = FaceAnalyzer(models_dir, min_face=faces_config(platform).min_face)
            library = FaceLibrary(platform.engine, platform.data_dir, analyzer)
            platform.face_library = library
        return library


def attach(platform: Any) -> None:
    """Register the watchlist observer for every camera when ``faces.enabled``."""
    cfg = faces_config(platform)
    if not cfg.enabled:
        return
    from anfang.faces.observer import WatchlistObserver

    library = library_for(platform)
    platform.observer_factories.append(lambda camera: WatchlistObserver(camera.id, library, cfg))
