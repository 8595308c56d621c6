"""PTZ command bytes for DeviceControl (GB/T 28181-2016 Annex A.3): 8 bytes sent as 16 hex digits.

Byte 1 A5h; byte 2 version/check nibble (0Fh for version 0); byte 3 address low 8 bits; byte 4 the
instruction bits; bytes 5-6 pan/tilt speed; byte 7 zoom speed (high nibble) + address high nibble;
byte 8 sum of bytes 1-7 mod 256.
"""

from __future__ import annotations

from dataclasses import dataclass

RIGHT, LEFT, DOWN, UP, ZOOM_IN, ZOOM_OUT = 0x01, 0x02, 0x04, 0x08, 0x10, 0x20


@dataclass(frozen=True)
class PtzMove:
    """Direction in [-1, 0, 1] per axis (pan: +right, tilt: +up, zoom: +in) and speeds 0-255 / 0-15."""

    pan: int = 0
    tilt: int = 0
    zoom: int = 0
    pan_speed: int = 0x80
    tilt_speed: int = 0x80
    zoom_speed: int = 0x8


def ptz_command(move: PtzMove, address: int = 1) -> str:
    """Hex string for ``<PTZCmd>``; a zero move is the stop command."""
    for name, value, top in (("pan_speed", move.pan_speed, 255), ("tilt_speed", move.tilt_speed, 255),
                             ("zoom_speed", move.zoom_speed, 15), ("address", address, 0xFFF)):
        if not 0 <= value <= top:
            raise ValueError(f"{name} {value} outside 0..{top}")
    code = 0
    code |= RIGHT if move.pan > 0 else LEFT if move.pan < 0 else 0
    code |= UP if move.tilt > 0 else DOWN if move.tilt < 0 else 0
    code |= ZOOM_IN if move.zoom > 0 else ZOOM_OUT if move.zoom < 0 else 0
    data = [
        0xA5,
        ((0xA5 >> 4) + (0xA5 & 0x0F) + 0) % 16 | 0x00,  # low nibble: check of byte 1 + version 0
        address & 0xFF,
        code,
        move.pan_speed if move.pan else 0,
        move.tilt_speed if move.tilt else 0,
        ((move.zoom_speed if move.zoom else 0) << 4) | ((address >> 8) & 0x0F),
    ]
    data.append(sum(data) % 256)
    return bytes(data).hex().upper()


def parse_ptz_command(text: str) -> tuple[int, int, bytes]:
    """(address, instruction byte, raw 8 bytes) from a PTZCmd hex string; checks header and checksum."""
    try:
        raw = bytes.fromhex(text)
    except ValueError as exc:
        raise ValueError(f"PTZCmd {text!r} is not hex") from exc
    if len(raw) != 8 or raw[0] != 0xA5:
        raise ValueError(f"PTZCmd {text!r} must be 8 bytes starting A5")
    if sum(raw[:7]) % 256 != raw[7]:
        raise ValueError(f"PTZCmd {text!r} checksum {raw[7]:02X} != {sum(raw[:7]) % 256:02X}")
    return raw[2] | ((raw[6] & 0x0F) << 8), raw[3], raw
