"""GB/T 28181 20-digit device codes: parse and say exactly what is wrong.

Layout (GB/T 28181-2016 Annex D): centre code 8 digits (province 2, city 2, district 2, grass-roots unit 2),
industry 2, type 3, network 1, serial 6. A platform keys everything on these ids, so a typo in a camera's
config should be reported as "type 999 unknown", not as an opaque registration failure.
"""

from __future__ import annotations

from dataclasses import dataclass

DEVICE_TYPES = {
    111: "DVR", 112: "video server", 113: "encoder", 114: "decoder", 115: "video switching matrix",
    116: "audio switching matrix", 117: "alarm controller", 118: "NVR", 130: "hybrid front-end device",
    131: "camera", 132: "IPC", 133: "display", 134: "alarm input", 135: "alarm output", 136: "voice input",
    137: "voice output", 138: "mobile transmission device", 139: "other peripheral",
    200: "SIP server", 201: "web server", 202: "media server", 203: "proxy server", 204: "security server",
    205: "alarm server", 206: "database server", 207: "GIS server", 208: "management server", 209: "gateway",
    210: "media storage server", 211: "signalling security gateway", 212: "business group", 213: "virtual organisation",
    214: "virtual organisation", 215: "business group", 216: "virtual organisation",
}
CHANNEL_TYPES = {131, 132, 134, 135, 136, 137}


class DeviceIdError(ValueError):
    """A device id that is not a valid 20-digit GB/T 28181 code."""


@dataclass(frozen=True)
class DeviceId:
    """A parsed code; ``str()`` gives the 20 digits back."""

    centre: str
    industry: str
    type_code: int
    network: int
    serial: str

    @property
    def type_name(self) -> str:
        return DEVICE_TYPES.get(self.type_code, "extension")

    @property
    def is_channel(self) -> bool:
        """True for codes that name a video/alarm channel rather than a box or a server."""
        return self.type_code in CHANNEL_TYPES

    def __str__(self) -> str:
        return f"{self.centre}{self.industry}{self.type_code:03d}{self.network}{self.serial}"


def parse_device_id(text: str, *, strict_type: bool = True) -> DeviceId:
    """Parse ``text``; raise DeviceIdError naming the field that is wrong.

    ``strict_type`` refuses type codes outside the standard table (1xx devices, 2xx servers); extension
    codes (300-999, vendor specific) are allowed only when it is False.
    """
    if not isinstance(text, str):
        raise DeviceIdError(f"device id must be a string, got {type(text).__name__}")
    if len(text) != 20:
        raise DeviceIdError(f"device id {text!r} has {len(text)} characters, expected 20 digits")
    if not text.isascii() or not text.isdigit():
        bad = next(i for i, ch in enumerate(text) if not ("0" <= ch <= "9"))
        raise DeviceIdError(f"device id {text!r} has a non-digit {text[bad]!r} at position {bad + 1}")
    centre, industry, type_code, network, serial = text[:8], text[8:10], int(text[10:13]), int(text[13]), text[14:]
    if centre[:2] == "00":
        raise DeviceIdError(f"device id {text!r}: centre code {centre} has province 00")
    if strict_type and type_code not in DEVICE_TYPES:
        raise DeviceIdError(f"device id {text!r}: type code {type_code:03d} (digits 11-13) is not a known type")
    if network > 9:
        raise DeviceIdError(f"device id {text!r}: network digit {network} invalid")
    return DeviceId(centre, industry, type_code, network, serial)


def is_device_id(text: str) -> bool:
    try:
        parse_device_id(text, strict_type=False)
    except DeviceIdError:
        return False
    return True
