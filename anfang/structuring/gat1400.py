"""GA/T 1400 (公安视频图像信息应用系统, "VIID") JSON for records: PersonListObject, MotorVehicleListObject, ...

Field names and codes follow GA/T 1400.3 where a field exists; our extra data (attribute confidences, track
id) is not invented into the standard's namespace, it stays in our own API. Choices this module makes:

* ``DeviceID`` is the camera id when it is a 20-digit GB/T 28181 code, else ``000000000000`` + 8 digits of
  the id's CRC-32 (stable, so one camera always exports the same DeviceID).
* Object ids are 48 characters, as GA/T 1400.1 builds them: DeviceID (20) + sub-type ``02`` (video) +
  shot time ``YYYYMMDDhhmmss`` (14) + image sequence (5) + object type (``01`` person, ``02`` motor vehicle,
  ``03`` non-motor vehicle, ``06`` face) + object sequence (5); the sequences come from the record id.
* Times are ``YYYYMMDDhhmmss`` in the server's local time zone (the standard's DateTime has no offset).
* Colours use the ColorType table (see :data:`anfang.vision.attributes.colors.COLOR_CODES`); GenderCode is
  GB/T 2261.1 (0 unknown, 1 male, 2 female); ``InfoKind`` 1 = automatically analysed.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterable
from typing import Any

from anfang.structuring.store import RecordRow
from anfang.vision.attributes.colors import COLOR_CODES

LIST_KEYS = {
    "person": ("PersonListObject", "PersonObject", "PersonID", "01"),
    "motor_vehicle": ("MotorVehicleListObject", "MotorVehicleObject", "MotorVehicleID", "02"),
    "non_motor_vehicle": ("NonMotorVehicleListObject", "NonMotorVehicleObject", "NonMotorVehicleID", "03"),
    "face": ("FaceListObject", "FaceObject", "FaceID", "06"),
}
IMAGE_TYPE = {"person": "10", "motor_vehicle": "09", "non_motor_vehicle": "12", "face": "11"}  # ImageType
SCENE_IMAGE = "14"
GENDER_CODES = {"male": "1", "female": "2"}


def device_id(camera_id: str) -> str:
    if len(camera_id) == 20 and camera_id.isdigit():
        return camera_id
    return f"000000000000{zlib.crc32(camera_id.encode()) % 100_000_000:08d}"


def gat_time(epoch: float) -> str:
    return time.strftime("%Y%m%d%H%M%S", time.localtime(epoch))


def object_id(row: RecordRow) -> str:
    seq = int(row.id[-10:], 16) if all(c in "0123456789abcdef" for c in row.id[-10:]) else zlib.crc32(row.id.encode())
    image_id = f"{device_id(row.camera_id)}02{gat_time(row.shot_time)}{seq % 100_000:05d}"
    return f"{image_id}{LIST_KEYS[row.type][3]}{(seq // 100_000) % 100_000:05d}"


def _color(name: str | None) -> str | None:
    return None if name is None else COLOR_CODES.get(name, "99")


def _images(row: RecordRow, url_base: str) -> dict[str, Any]:
    items = []
    for kind, image_type, path in (
        ("crop", IMAGE_TYPE[row.type], row.crop_path),
        ("snapshot", SCENE_IMAGE, row.snapshot_path),
    ):
        if not path:
            continue
        obj: dict[str, Any] = {
            "ImageID": object_id(row)[:41],
            "EventSort": 0,
            "DeviceID": device_id(row.camera_id),
            "StoragePath": f"{url_base}/api/records/{row.id}/{kind}.jpg",
            "Type": image_type,
            "FileFormat": "Jpeg",
            "ShotTime": gat_time(row.shot_time),
        }
        size = (row.attributes or {}).get("image_size")
        if kind == "snapshot" and size:
            obj["Width"], obj["Height"] = int(size[0]), int(size[1])
        items.append(obj)
    return {"SubImageInfoObject": items}


def to_gat(row: RecordRow, url_base: str = "") -> dict[str, Any]:
    """One record as its GA/T 1400 object (without the list wrapper); ``None`` fields are left out."""
    _list, _obj, id_key, _code = LIST_KEYS[row.type]
    x1, y1, x2, y2 = (int(round(v)) for v in (row.box or (0, 0, 0, 0)))
    out: dict[str, Any] = {
        id_key: object_id(row),
        "InfoKind": 1,
        "SourceID": object_id(row)[:41],
        "DeviceID": device_id(row.camera_id),
        "LeftTopX": x1,
        "LeftTopY": y1,
        "RightBtmX": x2,
        "RightBtmY": y2,
    }
    appear, disappear = gat_time(row.appear_time), gat_time(row.disappear_time)
    if row.type == "person":
        out |= {
            "LocationMarkTime": gat_time(row.shot_time),
            "PersonAppearTime": appear,
            "PersonDisAppearTime": disappear,
            "GenderCode": GENDER_CODES.get(row.gender or "", "0"),
            "AgeUpLimit": row.age_up,
            "AgeLowerLimit": row.age_low,
            "CoatColor": _color(row.coat_color),
            "TrousersColor": _color(row.trousers_color),
        }
    elif row.type == "face":
        gender = GENDER_CODES.get(row.gender or "", "0")
        out |= {"FaceAppearTime": appear, "FaceDisAppearTime": disappear, "GenderCode": gender}
        out |= {"AgeUpLimit": row.age_up, "AgeLowerLimit": row.age_low}
    else:
        out |= {"AppearTime": appear, "DisappearTime": disappear, "VehicleColor": _color(row.vehicle_color)}
        vclass = (row.attributes or {}).get("vehicle_class") or {}
        if row.type == "motor_vehicle":
            out |= {
                "PassTime": gat_time(row.shot_time),
                "HasPlate": "1" if row.plate_no else "0",
                "PlateNo": row.plate_no,
                "PlateColor": _color(row.plate_color),
                "VehicleClass": vclass.get("code"),
            }
    out["SubImageList"] = _images(row, url_base)
    return {k: v for k, v in out.items() if v is not None}


def export(rows: Iterable[RecordRow], url_base: str = "") -> dict[str, Any]:
    """GA/T 1400 list objects for ``rows``, grouped by type: ``{"PersonListObject": {"PersonObject": [...]}}``."""
    out: dict[str, Any] = {}
    for row in rows:
        list_key, obj_key, _id, _code = LIST_KEYS[row.type]
        out.setdefault(list_key, {obj_key: []})[obj_key].append(to_gat(row, url_base))
    return out
