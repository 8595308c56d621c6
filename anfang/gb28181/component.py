"""GB/T 28181 as a component: the SIP server platforms' cameras register to, built when ``gb28181.enabled``.

Why a component: it used to be the last step of a hand-kept wiring list (it adds cameras to a whole
platform) and sources found the running service through a process-wide global. Here channels become
cameras through ``ctx.cameras``, sources reach the service with ``components.get(Gb28181).service``,
and the devices routes are mounted whatever the config (they answer 503 while this is off).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from anfang.component import Component, Context
from anfang.security.component import Security

if TYPE_CHECKING:
    from fastapi import APIRouter

    from anfang.config.models import AppConfig
    from anfang.gb28181.protocol.manscdp import Channel

log = logging.getLogger(__name__)


class Gb28181(Component):
    """``service``: the :class:`~anfang.gb28181.service.GbService`, started and stopped with the platform."""

    name = "gb28181"
    # PTZ and device changes are audited by Security.
    needs: ClassVar[tuple[type[Component], ...]] = (Security,)
    commands: ClassVar[tuple[str, ...]] = ("anfang.cli.gb28181",)
    plugins: ClassVar[tuple[str, ...]] = ("anfang.gb28181.source",)

    @classmethod
    def enabled(cls, config: AppConfig) -> bool:
        return config.gb28181.enabled

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        from anfang.gb28181.service import GbService

        self.config = ctx.config.gb28181
        self.service = GbService(self.config, ctx.sink, self._add_channels)

    def _add_channels(self, device_id: str, channels: list[Channel]) -> None:
        """A device's catalog: each new video channel becomes a camera (``gb28181.auto_cameras``)."""
        if not self.config.auto_cameras:
            return
        cameras = self.ctx.cameras
        known = {c.id for c in cameras.cameras()}
        for ch in channels:
            if ch.device_id in known:
                continue
            try:
                cameras.add_camera({"id": ch.device_id, "name": ch.name or None, "source": {
                    "type": "gb28181", "device_id": device_id, "channel_id": ch.device_id}})
            except ValueError:
                log.exception("device %s: channel %s could not become a camera", device_id, ch.device_id)

    @classmethod
    def routers(cls) -> Sequence[APIRouter]:
        from anfang.api.routers import devices

        return (devices.router,)

    def start(self) -> None:
        self.service.start()

    def stop(self) -> None:
        self.service.stop()
