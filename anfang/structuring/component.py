"""Structured records (GA/T 1400) as a component: one record service, a per-camera builder when
``records.enabled``, record retention, and the records and search routes.

Why a component: the service used to be cached onto the platform under a module lock, and retention rode
on a wrapper patched over each builder's ``on_frame``. Here the service is a lazily built field of this
object (search works over records written earlier even with ``records.enabled`` off, without loading the
models until then) and retention is :meth:`Structuring.purge`, called by the platform's retention loop.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from anfang.component import Component, Context
from anfang.security.component import Security
from anfang.structuring.config import RecordsConfig

if TYPE_CHECKING:
    from fastapi import APIRouter

    from anfang.config.models import CameraConfig
    from anfang.pipeline.observer import FrameObserver, ObserverFactory
    from anfang.structuring.service import RecordService

DAY = 86400.0


class Structuring(Component):
    """``service``: the :class:`RecordService` (built on first use, or at start-up when records are on)."""

    name = "structuring"
    # Record pictures are masked and exports audited by Security.
    needs: ClassVar[tuple[type[Component], ...]] = (Security,)
    commands: ClassVar[tuple[str, ...]] = ("anfang.cli.plates", "anfang.cli.search")

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.config: RecordsConfig = ctx.config.records
        self._service: RecordService | None = None
        self._lock = threading.Lock()
        if self.config.enabled:
            self._service = self._open()

    def _open(self) -> RecordService:
        from anfang.structuring.service import open_service  # loads the embedder: not for `anfang --help`

        ctx = self.ctx
        from anfang.vision.face.config import face_detector_config

        return open_service(
            ctx.engine, ctx.data_dir, self.config, ctx.models_dir, ctx.media, face_detector_config(ctx.config),
            ctx.space,
        )

    @property
    def service(self) -> RecordService:
        with self._lock:
            if self._service is None:
                self._service = self._open()
            return self._service

    def observers(self) -> Sequence[ObserverFactory]:
        return (self._builder,) if self.config.enabled else ()

    def _builder(self, camera: CameraConfig) -> FrameObserver:
        from anfang.structuring.builder import RecordBuilder

        return RecordBuilder(camera, self.service)

    @classmethod
    def routers(cls) -> Sequence[APIRouter]:
        from anfang.api.routers import records, search

        return (records.router, search.router)

    def purge(self, now: float) -> None:
        """Records older than ``records.retention_days`` (default: ``store.retention_days``)."""
        if not self.config.enabled:
            return
        days = self.config.retention_days or self.ctx.config.store.retention_days
        self.service.purge(now - days * DAY)
