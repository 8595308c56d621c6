"""The one place the Platform meets GB/T 28181: build the service, route events, turn channels into cameras."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from anfang.gb28181.protocol.manscdp import Channel

if TYPE_CHECKING:
    from anfang.gb28181.service import GbService
    from anfang.platform import Platform

log = logging.getLogger(__name__)


def attach(platform: Platform) -> GbService | None:
    """The service for ``platform`` (None when ``gb28181.enabled`` is false); the Platform starts/stops it."""
    cfg = platform.config.gb28181
    if not cfg.enabled:
        return None
    from anfang.gb28181.service import GbService

    def add_channels(device_id: str, channels: list[Channel]) -> None:
        if not cfg.auto_cameras:
            return
        known = {c.id for c in platform.cameras()}
        for ch in channels:
            if ch.device_id in known:
                continue
            try:
                platform.add_camera({"id": ch.device_id, "name": ch.name or None, "source": {
                    "type": "gb28181", "device_id": device_id, "channel_id": ch.device_id}})
            except ValueError:
                log.exception("device %s: channel %s could not become a camera", device_id, ch.device_id)

    return GbService(cfg, platform.sink, add_channels)
