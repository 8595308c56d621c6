"""GB/T 28181 platform side: device ids, MANSCDP, PTZ, registrar/registry state machine, asyncio server."""

from anfang.protocols.gb28181.ids import DeviceId, DeviceIdError, parse_device_id
from anfang.protocols.gb28181.platform import Device, Platform, PlatformConfig, QueryResult

__all__ = ["Device", "DeviceId", "DeviceIdError", "Platform", "PlatformConfig", "QueryResult", "parse_device_id"]
