"""GB/T 28181 devices: who is registered, their channels, Catalog re-query and PTZ (thin over GbService).

Security: a device's channels are cameras, so a user limited to some cameras sees only the devices and channels
behind them (others are 404, like unknown ones). PTZ and Catalog re-query act on the device: operator or admin
only, and audited.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Request, status
from pydantic import BaseModel, Field

from anfang.api.deps import allowed_cameras, audit, get_platform, require_role
from anfang.gb28181.component import Gb28181
from anfang.gb28181.config import Gb28181SourceConfig
from anfang.gb28181.service import GbService
from anfang.platform import Platform

router = APIRouter(prefix="/devices", tags=["devices"])
_controller = [Depends(require_role("admin", "operator"))]


class PtzIn(BaseModel):
    command: Literal["stop", "left", "right", "up", "down", "zoom_in", "zoom_out"]
    speed: int = Field(128, ge=0, le=255)


def _service(platform: Platform) -> GbService:
    gb = platform.find(Gb28181)
    service = gb.service if gb is not None else None
    if service is None or not platform.running:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "GB/T 28181 is not enabled (gb28181.enabled)")
    return service


def _granted_channels(platform: Platform, allowed: frozenset[str] | None) -> set[tuple[str, str]] | None:
    """(device id, channel id) pairs behind the granted cameras; ``None`` when every camera is allowed."""
    if allowed is None:
        return None
    out = set()
    for cam in platform.cameras():
        src = cam.source
        if cam.id in allowed and isinstance(src, Gb28181SourceConfig):
            out.add((src.device_id, src.channel_id or src.device_id))
    return out


def _scoped(device: dict[str, Any], granted: set[tuple[str, str]] | None) -> dict[str, Any] | None:
    """The device with only its granted channels, or ``None`` when the caller may see none of them."""
    if granted is None:
        return device
    channels = [c for c in device["channels"] if (device["device_id"], c["channel_id"]) in granted]
    if not channels and (device["device_id"], device["device_id"]) not in granted:
        return None
    return {**device, "channels": channels}


def _device(service: Any, device_id: str, granted: set[tuple[str, str]] | None = None) -> dict[str, Any]:
    for device in service.devices():
        if device["device_id"] == device_id and (scoped := _scoped(device, granted)) is not None:
            return scoped
    raise HTTPException(status.HTTP_404_NOT_FOUND, f"device {device_id!r} is not registered")


def _granted_device(platform: Platform, allowed: frozenset[str] | None, device_id: str) -> tuple[Any, set | None]:
    """(service, granted channels) for a route on one device; 503 without GB/T 28181, 404 for a device that is
    not registered or has no channel the caller may see."""
    service = _service(platform)
    granted = _granted_channels(platform, allowed)
    _device(service, device_id, granted)
    return service, granted


@router.get("")
def list_devices(
    platform: Platform = Depends(get_platform), allowed: frozenset[str] | None = Depends(allowed_cameras)
) -> list[dict[str, Any]]:
    """Registered devices with their channels, online state and last keepalive (epoch seconds)."""
    granted = _granted_channels(platform, allowed)
    scoped = (_scoped(d, granted) for d in _service(platform).devices())
    return [d for d in scoped if d is not None]


@router.post(
    "/{device_id}/catalog", responses={404: {"description": "device not registered"}}, dependencies=_controller
)
def query_catalog(
    device_id: str,
    request: Request,
    platform: Platform = Depends(get_platform),
    allowed: frozenset[str] | None = Depends(allowed_cameras),
) -> dict[str, Any]:
    """Ask the device for its Catalog again (e.g. after channels were added on an NVR)."""
    service, granted = _granted_device(platform, allowed, device_id)
    try:
        service.catalog(device_id)
    except KeyError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"device {device_id!r} is not registered") from None
    audit(request, "device.catalog", device_id)
    return _device(service, device_id, granted)


@router.post("/{device_id}/channels/{channel_id}/ptz", status_code=status.HTTP_202_ACCEPTED,
             responses={404: {"description": "device not registered"}}, dependencies=_controller)
def ptz(
    device_id: str,
    channel_id: str,
    body: PtzIn,
    request: Request,
    platform: Platform = Depends(get_platform),
    allowed: frozenset[str] | None = Depends(allowed_cameras),
) -> dict[str, str]:
    """Send a DeviceControl PTZCmd; devices do not confirm moves, so this is accepted, not done."""
    service, granted = _granted_device(platform, allowed, device_id)
    if granted is not None and (device_id, channel_id) not in granted:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"channel {channel_id!r} not found")
    service.ptz(device_id, channel_id, body.command, body.speed)
    audit(request, "device.ptz", f"{device_id}/{channel_id}", {"command": body.command, "speed": body.speed})
    return {"status": "sent"}
