"""Recording as a component: a recorder per camera (an observer), the segment index and its sweeper,
playback/export and live HLS routes.

Why a component: the service used to take the whole platform and hang itself on it; it needs only the
context (data dir, engine, bus, the camera registry), and the routes find it with ``platform.get(Recording)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from anfang.component import Component, Context
from anfang.recording.service import RecordingService
from anfang.security.component import Security

if TYPE_CHECKING:
    from fastapi import APIRouter

    from anfang.pipeline.observer import ObserverFactory


class Recording(Component):
    """``service``: the :class:`RecordingService`; ``start``/``stop`` run its retention sweeper."""

    name = "recording"
    # Live frames are masked and playback audited by Security.
    needs: ClassVar[tuple[type[Component], ...]] = (Security,)

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.service = RecordingService(ctx)

    def observers(self) -> Sequence[ObserverFactory]:
        return (self.service.make_observer,)

    @classmethod
    def routers(cls) -> Sequence[APIRouter]:
        from anfang.api.routers import live, recordings

        return (recordings.router, live.router)

    def start(self) -> None:
        self.service.start()

    def stop(self) -> None:
        self.service.stop()
