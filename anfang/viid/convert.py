"""GA/T 1400 objects <-> anfang record rows, without I/O.

Inbound (:func:`to_row`): a posted Person / Face / MotorVehicle / NonMotorVehicle becomes the row dict the
record store inserts, with the searchable columns (colours, plate, gender, age band) filled from the codes,
so a record another system posted is found by the same attribute and plate search as our own. Its pictures
come back as decoded bytes for the store to write through the media policy. The original object (less the
picture bytes) stays in ``attributes["gat1400"]``, so nothing the sender said is thrown away.

Outbound (:func:`from_row`): :func:`anfang.structuring.gat1400.to_gat` with the pictures' bytes added as
Base64 ``Data`` (the upper cannot fetch our ``/api`` picture URLs: they need an anfang session).
"""

from __future__ import annotations

import base64
import binascii
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from anfang.structuring.gat1400 import to_gat
from anfang.structuring.store import RecordRow
from anfang.viid.codes import COLOR, GENDER
from anfang.viid.messages import MessageError, parse_gat_time
from anfang.viid.shapes import KINDS, id_field, validate

SNAPSHOT_TYPES = ("14", "01", "100")  # scene, vehicle scene, general picture
CROP_TYPES = {"person": ("10",), "face": ("11",), "motor_vehicle": ("09",), "non_motor_vehicle": ("12",)}
_TIMES = {  # record type -> (appear, disappear, shot) field names, most specific first
    "person": ("PersonAppearTime", "PersonDisAppearTime", ("LocationMarkTime",)),
    "face": ("FaceAppearTime", "FaceDisAppearTime", ("LocationMarkTime",)),
    "motor_vehicle": ("AppearTime", "DisappearTime", ("PassTime", "MarkTime")),
    "non_motor_vehicle": ("AppearTime", "DisappearTime", ("MarkTime",)),
}
_OBJECT_CLASS = {"person": "person", "face": "face", "motor_vehicle": "car", "non_motor_vehicle": "bicycle"}
_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"BM", b"GIF8")


@dataclass
class Inbound:
    """One posted object ready to store: the row (without picture paths) and its pictures by role."""

    data_id: str
    row: dict[str, Any]
    pictures: dict[str, bytes] = field(default_factory=dict)  # "snapshot" / "crop" -> bytes


def _sub_images(obj: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    sub = obj.get("SubImageList")
    items = sub.get("SubImageInfoObject") if isinstance(sub, Mapping) else sub
    return [i for i in (items or []) if isinstance(i, Mapping)] if isinstance(items, list) else []


def _picture(item: Mapping[str, Any], where: str) -> bytes:
    try:
        data = base64.b64decode(str(item["Data"]), validate=False)
    except (binascii.Error, ValueError):
        raise MessageError(f"{where}.Data: not valid Base64") from None
    if not data.startswith(_MAGIC):
        raise MessageError(f"{where}.Data: not a JPEG, PNG, BMP or GIF picture")
    return data


def _code(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _int(value: Any) -> int | None:
    try:
        return None if value is None or value == "" else int(value)
    except (TypeError, ValueError):
        return None


def to_row(obj: Any, kind: str, peer: str, now: float | None = None,
           scene: bytes | None = None) -> Inbound:
    """Validate one posted object of record type ``kind`` and turn it into an :class:`Inbound`.

    ``peer``: the authenticated sender's ID (kept with the record). ``scene``: the enclosing Image's picture
    when the object came inside ``/VIID/Images`` (used as the snapshot when the object has none).
    Raises :class:`MessageError` (StatusCode 8) naming the first problem.
    """
    shape = KINDS[kind][2]
    errors = validate(obj, shape, strict=False, path=f"{shape}Object")
    if errors:
        raise MessageError("; ".join(errors[:5]))
    data_id = str(obj[id_field(shape)])
    if data_id[41:43] != {"person": "01", "motor_vehicle": "02", "non_motor_vehicle": "03", "face": "06"}[kind]:
        raise MessageError(f"{shape}Object.{id_field(shape)}: object type {data_id[41:43]} is not a {shape}")
    now = time.time() if now is None else now
    pictures: dict[str, bytes] = {}
    size: list[int] | None = None
    for i, item in enumerate(_sub_images(obj)):
        if not item.get("Data"):
            continue
        where = f"{shape}Object.SubImageList[{i}]"
        image_type = str(item.get("Type", ""))
        role = "snapshot" if image_type in SNAPSHOT_TYPES else "crop" if image_type in CROP_TYPES[kind] else None
        if role is None or role in pictures:  # plate close-ups, logos, second crops: first of each role kept
            role = next((r for r in ("crop", "snapshot") if r not in pictures), None)
        if role is None:
            continue
        pictures[role] = _picture(item, where)
        if role == "snapshot" and _int(item.get("Width")) and _int(item.get("Height")):
            size = [_int(item.get("Width")) or 0, _int(item.get("Height")) or 0]
    if scene is not None and "snapshot" not in pictures:
        pictures["snapshot"] = scene
    appear_key, disappear_key, shot_keys = _TIMES[kind]
    id_time = parse_gat_time(data_id[22:36])
    shot = next((t for k in shot_keys if (t := parse_gat_time(obj.get(k))) is not None), None)
    shots = [parse_gat_time(i.get("ShotTime")) for i in _sub_images(obj)]
    shot = shot or next((t for t in shots if t is not None), None) or id_time or now
    appear = parse_gat_time(obj.get(appear_key)) or shot
    disappear = parse_gat_time(obj.get(disappear_key)) or max(shot, appear)
    box = [float(_int(obj.get(k)) or 0) for k in ("LeftTopX", "LeftTopY", "RightBtmX", "RightBtmY")]
    colour = {k: COLOR.get(str(obj[k])) for k in ("CoatColor", "TrousersColor", "VehicleColor", "PlateColor")
              if _code(obj.get(k)) is not None}  # fmt: skip
    gender = GENDER.get(str(obj.get("GenderCode", "")))
    gender = gender if gender in ("male", "female") else None
    plate = _code(obj.get("PlateNo")) if kind in ("motor_vehicle", "non_motor_vehicle") else None
    attrs: dict[str, Any] = {}
    for name, key in (("upper_color", "CoatColor"), ("lower_color", "TrousersColor"),
                      ("vehicle_color", "VehicleColor"), ("plate_color", "PlateColor")):  # fmt: skip
        if colour.get(key):
            attrs[name] = {"value": colour[key], "code": str(obj[key]), "confidence": None}
    if plate:
        attrs["plate_no"] = {"value": plate, "confidence": None}
    if gender:
        attrs["gender"] = {"value": gender, "code": str(obj["GenderCode"]), "confidence": None}
    if size:
        attrs["image_size"] = size
    original = {k: v for k, v in obj.items() if k != "SubImageList"}
    original["SubImageList"] = {"SubImageInfoObject": [
        {k: v for k, v in i.items() if k != "Data"} for i in _sub_images(obj)]}  # fmt: skip
    attrs["viid"] = {"id": data_id, "from": peer, "received": now}
    attrs["gat1400"] = original
    camera = str(obj.get("DeviceID") or data_id[:20])
    row = {
        "type": kind, "object_class": _OBJECT_CLASS[kind], "camera_id": camera, "track_id": None,
        "appear_time": appear, "disappear_time": disappear, "shot_time": shot,
        "box": box if any(box) else None, "confidence": None, "quality": None,
        "coat_color": colour.get("CoatColor") if kind == "person" else None,
        "trousers_color": colour.get("TrousersColor") if kind == "person" else None,
        "vehicle_color": colour.get("VehicleColor") if kind != "person" and kind != "face" else None,
        "plate_no": plate, "plate_color": colour.get("PlateColor") if plate else None,
        "gender": gender if kind in ("person", "face") else None,
        "age_low": _int(obj.get("AgeLowerLimit")), "age_up": _int(obj.get("AgeUpLimit")),
        "attributes": attrs, "embedding": None, "embedding_model": None, "parent_id": None, "created_at": now,
    }  # fmt: skip
    return Inbound(data_id, row, pictures)


def from_row(row: RecordRow, pictures: Mapping[str, bytes | None]) -> dict[str, Any]:
    """Our record as its GA/T 1400 object, each picture's bytes as Base64 ``Data`` (``pictures``: kind -> bytes).

    A record that itself came in over GA/T 1400 goes up again under its original ID, so an upper that
    hears of it from two paths stores it once.
    """
    obj = to_gat(row)
    original = (row.attributes or {}).get("viid") or {}
    if isinstance(original, Mapping) and original.get("id"):
        shape = KINDS[row.type][2]
        obj[id_field(shape)] = str(original["id"])
        obj["SourceID"] = str(original["id"])[:41]
    items = obj.get("SubImageList", {}).get("SubImageInfoObject", [])
    kept = []
    kinds = [k for k, p in (("crop", row.crop_path), ("snapshot", row.snapshot_path)) if p]
    for item, kind in zip(items, kinds, strict=False):
        data = pictures.get(kind)
        if data is None:
            continue
        item["Data"] = base64.b64encode(data).decode("ascii")
        item.pop("StoragePath", None)  # an /api URL the upper cannot open
        kept.append(item)
    obj["SubImageList"] = {"SubImageInfoObject": kept}
    return obj
