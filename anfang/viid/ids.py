"""GA/T 1400 identifiers: 20-digit device IDs and the 41-digit image / 48-digit object data IDs.

GA/T 1400.1 builds a data ID from its parts: the capturing DeviceID (20 digits), a 2-digit source sub-type,
the capture time ``YYYYMMDDhhmmss`` (14), a 5-digit image sequence (= 41, an ImageID), then for an object a
2-digit object type (01 person, 02 motor vehicle, 03 non-motor vehicle, 04 thing, 05 scene, 06 face) and a
5-digit object sequence (= 48). A peer that sends a malformed ID gets StatusCode 8 for that object, so the
parser names the exact part that is wrong.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

OBJECT_TYPES = {"01": "person", "02": "motor_vehicle", "03": "non_motor_vehicle", "04": "thing", "05": "scene",
                "06": "face"}  # fmt: skip
OBJECT_CODES = {v: k for k, v in OBJECT_TYPES.items()}


class IdError(ValueError):
    """A malformed GA/T 1400 identifier; the message names the part."""


def check_device_id(value: str) -> str:
    """A 20-digit device / system ID (GB/T 28181 coding: centre 8, industry 2, type 3, serial 7)."""
    if not isinstance(value, str) or len(value) != 20 or not value.isdigit():
        raise IdError(f"device ID {value!r}: expected 20 digits")
    return value


def _check_time(value: str) -> None:
    try:
        time.strptime(value, "%Y%m%d%H%M%S")
    except ValueError:
        raise IdError(f"time part {value!r} is not a valid YYYYMMDDhhmmss") from None


@dataclass(frozen=True)
class DataId:
    """The parts of a 41-digit image ID or a 48-digit object ID."""

    device_id: str
    sub_type: str
    shot_time: str  # YYYYMMDDhhmmss
    image_seq: str
    object_type: str | None = None  # "01".."06" (48-digit IDs only)
    object_seq: str | None = None

    @property
    def kind(self) -> str | None:
        return None if self.object_type is None else OBJECT_TYPES.get(self.object_type)

    def __str__(self) -> str:
        tail = f"{self.object_type or ''}{self.object_seq or ''}"
        return f"{self.device_id}{self.sub_type}{self.shot_time}{self.image_seq}{tail}"


def parse_data_id(value: str, kind: str | None = None) -> DataId:
    """Parse a 41- or 48-digit data ID; ``kind`` (``person``, ``face``, ...) requires a 48-digit ID of that type."""
    if not isinstance(value, str) or not value.isdigit():
        raise IdError(f"data ID {value!r}: expected digits only")
    if len(value) not in (41, 48) or (kind is not None and len(value) != 48):
        raise IdError(f"data ID {value!r}: expected {'48' if kind else '41 or 48'} digits, got {len(value)}")
    _check_time(value[22:36])
    parsed = DataId(value[:20], value[20:22], value[22:36], value[36:41], value[41:43] or None, value[43:48] or None)
    if parsed.object_type is not None and parsed.object_type not in OBJECT_TYPES:
        raise IdError(f"data ID {value!r}: object type {parsed.object_type!r} is not one of {sorted(OBJECT_TYPES)}")
    if kind is not None and parsed.kind != kind:
        raise IdError(f"data ID {value!r}: object type {parsed.object_type} is {parsed.kind}, not {kind}")
    return parsed


def build_data_id(device_id: str, shot_time: str, image_seq: int, kind: str | None = None, object_seq: int = 0,
                  sub_type: str = "02") -> str:
    """A 41-digit image ID, or with ``kind`` a 48-digit object ID (sub-type 02: from video)."""
    check_device_id(device_id)
    _check_time(shot_time)
    if len(sub_type) != 2 or not sub_type.isdigit():
        raise IdError(f"sub-type {sub_type!r}: expected 2 digits")
    out = f"{device_id}{sub_type}{shot_time}{image_seq % 100_000:05d}"
    if kind is not None:
        if kind not in OBJECT_CODES:
            raise IdError(f"object kind {kind!r} is not one of {sorted(OBJECT_CODES)}")
        out += f"{OBJECT_CODES[kind]}{object_seq % 100_000:05d}"
    return out
