"""``viid:`` in the config: the GA/T 1400 view-library server (``server:``) and client (``client:``).

Both are off by default. There are no default passwords: a view library that accepts a well-known password
accepts anyone's records. Kept free of heavy imports because :mod:`anfang.config.models` imports it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from anfang.viid.ids import IdError, check_device_id

RecordKind = Literal["person", "face", "motor_vehicle", "non_motor_vehicle"]
ALL_KINDS: tuple[RecordKind, ...] = ("person", "face", "motor_vehicle", "non_motor_vehicle")


def _device_id(value: str) -> str:
    try:
        check_device_id(value)
    except IdError as exc:
        raise ValueError(str(exc)) from None
    return value


class ViidPeer(BaseModel):
    """A system allowed to call our server: its 20-digit ID (the Digest user name) and its password."""

    model_config = ConfigDict(extra="forbid")

    device_id: str
    password: str = Field(min_length=1)

    _check = field_validator("device_id")(_device_id)


class ViidServerConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = False
    server_id: str = "00000000005030000001"  # our VIIDServerID (20 digits; type 503 = view library)
    realm: str = "anfang-viid"
    devices: list[ViidPeer] = Field(default_factory=list)  # who may register and post (Digest credentials)
    # After a Digest-authenticated Register, accept requests that carry only ``User-Identify: <DeviceID>``
    # from the same IP address until the registration expires (what most GA/T 1400 devices send).
    trust_registered: bool = True
    registration_s: float = Field(default=180.0, gt=0)  # a registration expires this long after its last keepalive
    max_body_mb: float = Field(default=64.0, gt=0)  # a request larger than this is refused (StatusCode 4)

    _check = field_validator("server_id")(_device_id)

    @model_validator(mode="after")
    def _unique(self) -> ViidServerConfig:
        ids = [d.device_id for d in self.devices]
        dup = {i for i in ids if ids.count(i) > 1}
        if dup:
            raise ValueError(f"devices: duplicate device_id {sorted(dup)[0]!r}")
        return self


class ViidClientConfig(BaseModel):
    """Register to an upper view library and push our records to it."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = False
    url: str = ""  # the upper's base URL, e.g. http://10.0.0.5:8080 (the /VIID/... paths are appended)
    device_id: str = "00000000005030000002"  # our DeviceID at the upper (the Digest user name)
    password: str = ""
    # direct: POST every record to the upper's /VIID/Persons, /VIID/Faces, ... ; subscriptions: only what the
    # upper's Subscribes (posted to our server's /VIID/Subscribes) ask for, as SubscribeNotifications.
    mode: Literal["direct", "subscriptions"] = "direct"
    types: list[RecordKind] = Field(default_factory=lambda: list(ALL_KINDS))  # direct mode: types pushed
    pictures: bool = True  # send the crop and scene JPEGs as Base64 SubImageList Data
    keepalive_s: float = Field(default=30.0, gt=0)
    batch: int = Field(default=50, ge=1, le=1000)  # objects per POST
    timeout_s: float = Field(default=10.0, gt=0)
    retry_min_s: float = Field(default=0.5, gt=0)  # back-off after a failure doubles from this ...
    retry_max_s: float = Field(default=30.0, gt=0)  # ... up to this

    _check = field_validator("device_id")(_device_id)

    @model_validator(mode="after")
    def _needs_upper(self) -> ViidClientConfig:
        if self.enabled and not (self.url.startswith(("http://", "https://")) and self.password):
            raise ValueError("client: enabled needs url (http:// or https://) and password")
        return self


class ViidConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    server: ViidServerConfig = Field(default_factory=ViidServerConfig)
    client: ViidClientConfig = Field(default_factory=ViidClientConfig)
