"""GB/T 28181 devices: who is registered, their channels, Catalog re-query and PTZ (thin over GbService)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import BaseModel, Field

from anfang.api.deps import get_platform
from anfang.platform import Platform

router = APIRouter(prefix="/devices", tags=["devices"])


class PtzIn(BaseModel):
    command: Literal["stop", "left", "right", "up", "down", "zoom_in", "zoom_out"]
    speed: int = Field(128, ge=0, le=255)


def _service(platform: Platform) -> Any:
    service = getattr(platform, "gb28181", None)
    if service is None or not platform.running:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "GB/T 28181 is not enabled (gb28181.enabled)")
    return service


def _device(service: Any, device_id: str) -> dict[str, Any]:
    for device in service.devices():
        if device["device_id"] == device_id:
            return device
    raise HTTPException(status.HTTP_404_NOT_FOUND, f"device {device_id!r} is not registered")


@router.get("")
def list_devices(platform: Platform = Depends(get_platform)) -> list[dict[str, Any]]:
    """Registered devices with their channels, online state and last keepalive (epoch seconds)."""
    return _service(platform).devices()


@router.post("/{device_id}/catalog", responses={404: {"description": "device not registered"}})
def query_catalog(device_id: str, platform: Platform = Depends(get_platform)) -> dict[str, Any]:
    """Ask the device for its Catalog again (e.g. after channels were added on an NVR)."""
    service = _service(platform)
    _device(service, device_id)
    try:
        service.catalog(device_id)
    except KeyError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"device {device_id!r} is not registered") from None
    return _device(service, device_id)


@router.post("/{device_id}/channels/{channel_id}/ptz", status_code=status.HTTP_202_ACCEPTED,
             responses={404: {"description": "device not registered"}})
def ptz(device_id: str, channel_id: str, body: PtzIn, platform: Platform = Depends(get_platform)) -> dict[str, str]:
    """Send a DeviceControl PTZCmd; devices do not confirm moves, so this is accepted, not done."""
    service = _service(platform)
    _device(service, device_id)
    service.ptz(device_id, channel_id, body.command, body.speed)
    return {"status": "sent"}
