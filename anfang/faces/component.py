"""Face watchlists (布控) as a component: the face library, a per-camera watchlist observer when
``faces.enabled``, and the watchlist/compare routes.

Why a component: the library used to be cached onto the platform under a module lock. Here it is a field
of this object, built on first use, so watchlists can be prepared through the API before live matching
is switched on, and the face models load only when something needs them.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from anfang.component import Component, Context
from anfang.faces.config import FacesConfig
from anfang.security.component import Security

if TYPE_CHECKING:
    from fastapi import APIRouter

    from anfang.config.models import CameraConfig
    from anfang.faces.library import FaceLibrary
    from anfang.pipeline.observer import FrameObserver, ObserverFactory


class Faces(Component):
    """``library``: the :class:`~anfang.faces.library.FaceLibrary` (built eagerly when ``faces.enabled``)."""

    name = "faces"
    # Watchlist pictures are masked and enrolments audited by Security.
    needs: ClassVar[tuple[type[Component], ...]] = (Security,)
    commands: ClassVar[tuple[str, ...]] = ("anfang.cli.faces",)

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.config: FacesConfig = ctx.config.faces
        self._library: FaceLibrary | None = None
        self._lock = threading.Lock()
        if self.config.enabled:
            self._library = self._open()

    def _open(self) -> FaceLibrary:
        from anfang.faces.library import FaceLibrary
        from anfang.vision.face.analyze import FaceAnalyzer
        from anfang.vision.face.config import face_detector_config

        detector = face_detector_config(self.ctx.config)  # faces.detector: the settings masking uses too
        analyzer = FaceAnalyzer(self.ctx.models_dir, min_face=self.config.min_face, detector_config=detector)
        return FaceLibrary(self.ctx.engine, self.ctx.data_dir, analyzer)

    @property
    def library(self) -> FaceLibrary:
        with self._lock:
            if self._library is None:
                self._library = self._open()
            return self._library

    def observers(self) -> Sequence[ObserverFactory]:
        return (self._observer,) if self.config.enabled else ()

    def _observer(self, camera: CameraConfig) -> FrameObserver:
        from anfang.faces.observer import WatchlistObserver

        return WatchlistObserver(camera.id, self.library, self.config)

    @classmethod
    def routers(cls) -> Sequence[APIRouter]:
        from anfang.api.routers import faces

        return (faces.router,)
