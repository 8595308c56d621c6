"""Config models for GB/T 28181: the platform section (``gb28181:``) and the ``type: gb28181`` camera source.

Kept free of heavy imports because :mod:`anfang.config.models` imports it. There is no default password:
a SIP registrar with a well-known password lets anyone's device (or anyone) pose as a camera.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from anfang.gb28181.protocol.ids import DeviceIdError, parse_device_id


def _check_id(value: str) -> str:
    try:
        parse_device_id(value, strict_type=False)
    except DeviceIdError as exc:
        raise ValueError(str(exc)) from None
    return value


class Gb28181SourceConfig(BaseModel):
    """One channel of a device registered to our SIP server, pulled with INVITE."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["gb28181"] = "gb28181"
    device_id: str
    channel_id: str | None = None  # default: the device id (a single-channel IPC)
    transport: Literal["udp", "tcp_passive", "tcp_active"] = "udp"
    stream_timeout_s: float = Field(default=10.0, gt=0)  # no media this long → BYE and INVITE again
    invite_timeout_s: float = Field(default=10.0, gt=0)
    reconnect_initial_s: float = Field(default=1.0, gt=0)
    reconnect_max_s: float = Field(default=30.0, gt=0)

    _ids = field_validator("device_id", "channel_id")(lambda v: v if v is None else _check_id(v))

    @property
    def channel(self) -> str:
        return self.channel_id or self.device_id


class Gb28181Config(BaseModel):
    """``gb28181:`` in the app config: run the SIP server devices register to."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = False
    host: str = "0.0.0.0"
    port: int = Field(default=5060, ge=0, le=65535)
    transport: Literal["udp", "tcp", "both"] = "udp"
    platform_id: str = "34020000002000000001"
    domain: str = "3402000000"
    password: str | None = None
    password_file: Path | None = None
    advertised_host: str = "127.0.0.1"  # address devices reach us at: SIP Via/Contact and the SDP c= line
    keepalive_interval: float = Field(default=60.0, gt=0)
    auto_cameras: bool = True  # every video channel (type 131/132) of a registered device becomes a camera
    media_port_range: tuple[int, int] = (30000, 30100)

    @field_validator("platform_id")
    @classmethod
    def _platform_id(cls, v: str) -> str:
        return _check_id(v)

    @field_validator("domain")
    @classmethod
    def _domain(cls, v: str) -> str:
        if len(v) != 10 or not v.isdigit():
            raise ValueError("domain must be 10 digits (usually the first 10 of platform_id)")
        return v

    @model_validator(mode="after")
    def _needs_password(self) -> Gb28181Config:
        lo, hi = self.media_port_range
        if not 0 < lo <= hi < 65536:
            raise ValueError("media_port_range must be [low, high] with 0 < low <= high < 65536")
        if self.enabled and not (self.password or self.password_file):
            raise ValueError("gb28181.enabled needs password or password_file (there is no default password)")
        return self

    def resolved_password(self) -> str:
        """The device password; a password_file's first line wins over nothing, never over ``password``."""
        if self.password:
            return self.password
        if self.password_file is None:
            raise ValueError("gb28181 has neither password nor password_file")
        return self.password_file.read_text(encoding="utf-8").splitlines()[0].strip()
