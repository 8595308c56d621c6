"""GB/T 28181 platform side: device ids, MANSCDP, PTZ, registrar/registry state machine, asyncio server."""

from anfang.gb28181.protocol.core import Device, GbCore, GbCoreConfig, QueryResult
from anfang.gb28181.protocol.ids import DeviceId, DeviceIdError, parse_device_id

__all__ = ["Device", "DeviceId", "DeviceIdError", "GbCore", "GbCoreConfig", "QueryResult", "parse_device_id"]
