"""GA/T 1400.4 messages as plain dicts: build and parse them, no I/O.

Every answer of a view library is a ``ResponseStatusObject`` (one request, one object) or a
``ResponseStatusListObject`` (a batch: one status per posted object, in order, with the object's ID), so a
client learns exactly which objects of a batch were refused and why. Times on the wire are local
``YYYYMMDDhhmmss`` (the standard's DateTime has no zone).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from anfang.viid.codes import STATUS_STRINGS, SUBSCRIBE_DETAIL, Status
from anfang.viid.ids import IdError, check_device_id
from anfang.viid.shapes import KINDS, validate

CONTENT_TYPE = "application/VIID+JSON;charset=UTF-8"
NOTIFICATION_LISTS = {kind: f"{shape}ObjectList" for kind, (_l, _o, shape, _p) in KINDS.items()}


class MessageError(ValueError):
    """A request body the standard does not allow; ``status`` is the StatusCode to answer with."""

    def __init__(self, message: str, status: Status = Status.INVALID_JSON_CONTENT) -> None:
        super().__init__(message)
        self.status = status


def gat_time(epoch: float | None = None) -> str:
    return time.strftime("%Y%m%d%H%M%S", time.localtime(time.time() if epoch is None else epoch))


def parse_gat_time(value: Any) -> float | None:
    """Epoch seconds of a ``YYYYMMDDhhmmss`` local time; ``None`` when absent or malformed."""
    if not isinstance(value, str) or len(value) != 14:
        return None
    try:
        return time.mktime(time.strptime(value, "%Y%m%d%H%M%S"))
    except (ValueError, OverflowError):
        return None


def decode(body: bytes) -> dict[str, Any]:
    """The JSON object of a request body (StatusCode 7 when it is not JSON, 8 when not an object)."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MessageError(f"body is not JSON: {exc}", Status.INVALID_JSON_FORMAT) from None
    if not isinstance(data, dict):
        raise MessageError("body is not a JSON object")
    return data


def encode(message: Mapping[str, Any]) -> bytes:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# ------------------------------------------------------------ answers


def status_object(url: str, code: Status = Status.OK, id: str = "", text: str | None = None,
                  now: float | None = None) -> dict[str, Any]:
    return {"RequestURL": url, "StatusCode": int(code), "StatusString": text or STATUS_STRINGS[code], "Id": id,
            "LocalTime": gat_time(now)}  # fmt: skip


def response(url: str, code: Status = Status.OK, id: str = "", text: str | None = None) -> dict[str, Any]:
    """``{"ResponseStatusObject": ...}``: the answer to a single request."""
    return {"ResponseStatusObject": status_object(url, code, id, text)}


def response_list(items: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """``{"ResponseStatusListObject": {"ResponseStatusObject": [...]}}``: the answer to a batch."""
    return {"ResponseStatusListObject": {"ResponseStatusObject": list(items)}}


def statuses(body: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The status objects of an answer (single or list); ``[]`` if the body holds none."""
    if "ResponseStatusListObject" in body:
        items = (body["ResponseStatusListObject"] or {}).get("ResponseStatusObject") or []
        return [i for i in items if isinstance(i, dict)]
    single = body.get("ResponseStatusObject")
    return [single] if isinstance(single, dict) else []


# ------------------------------------------------------------ system


def system_request(kind: str, device_id: str) -> dict[str, Any]:
    """``Register`` / ``UnRegister`` / ``Keepalive``: ``{"RegisterObject": {"DeviceID": ...}}``."""
    check_device_id(device_id)
    return {f"{kind}Object": {"DeviceID": device_id}}


def parse_system(body: Mapping[str, Any], kind: str) -> str:
    """The DeviceID of a Register / UnRegister / Keepalive body."""
    obj = body.get(f"{kind}Object")
    errors = validate(obj, kind, strict=False, path=f"{kind}Object")
    if errors:
        raise MessageError("; ".join(errors))
    assert isinstance(obj, Mapping)
    return str(obj["DeviceID"])


def system_time(server_id: str, now: float | None = None) -> dict[str, Any]:
    zone = time.strftime("%z", time.localtime(now))
    return {"SystemTimeObject": {"VIIDServerID": server_id, "TimeMode": "1", "LocalTime": gat_time(now),
                                 "TimeZone": f"UTC{zone[:3]}:{zone[3:]}"}}  # fmt: skip


# ------------------------------------------------------------ objects


def wrap(kind: str, objects: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """``{"PersonListObject": {"PersonObject": [...]}}`` for record type ``kind``."""
    list_key, obj_key, _shape, _path = KINDS[kind]
    return {list_key: {obj_key: list(objects)}}


def unwrap(body: Mapping[str, Any], kind: str) -> list[Any]:
    """The objects of a posted list of ``kind`` (a bare object instead of a list is accepted)."""
    list_key, obj_key, _shape, _path = KINDS[kind]
    outer = body.get(list_key)
    if not isinstance(outer, Mapping):
        raise MessageError(f"body lacks {list_key}")
    items = outer.get(obj_key)
    if isinstance(items, Mapping):
        items = [items]
    if not isinstance(items, list):
        raise MessageError(f"{list_key}.{obj_key} is not a list")
    return items


# ------------------------------------------------------------ subscriptions


@dataclass
class Subscription:
    """One SubscribeObject, reduced to what decides delivery."""

    id: str
    kinds: frozenset[str]  # record types asked for (person, face, motor_vehicle, non_motor_vehicle)
    resources: frozenset[str]  # device IDs; empty, or our server ID among them: every device
    begin: float
    end: float
    receive_addr: str
    cancel: bool = False
    raw: dict[str, Any] = field(default_factory=dict)

    def wants(self, kind: str, device_id: str, now: float, server_id: str = "") -> bool:
        if self.cancel or kind not in self.kinds or not (self.begin <= now <= self.end):
            return False
        return not self.resources or device_id in self.resources or server_id in self.resources


def parse_subscribes(body: Mapping[str, Any]) -> list[tuple[Any, Subscription | MessageError]]:
    """Each SubscribeObject of a SubscribeListObject as a :class:`Subscription`, or the error that refuses it."""
    outer = body.get("SubscribeListObject")
    items = outer.get("SubscribeObject") if isinstance(outer, Mapping) else None
    if isinstance(items, Mapping):
        items = [items]
    if not isinstance(items, list):
        raise MessageError("body lacks SubscribeListObject.SubscribeObject")
    out: list[tuple[Any, Subscription | MessageError]] = []
    for item in items:
        sid = item.get("SubscribeID", "") if isinstance(item, Mapping) else ""
        errors = validate(item, "Subscribe", strict=False, path="SubscribeObject")
        if errors:
            out.append((sid, MessageError("; ".join(errors))))
            continue
        kinds = frozenset(SUBSCRIBE_DETAIL[c.strip()] for c in str(item["SubscribeDetail"]).split(","))
        resources = frozenset(r.strip() for r in str(item["ResourceURI"]).split(",") if r.strip())
        begin, end = parse_gat_time(item["BeginTime"]), parse_gat_time(item["EndTime"])
        if begin is None or end is None or end < begin:
            out.append((sid, MessageError("SubscribeObject: EndTime before BeginTime")))
            continue
        addr = str(item["ReceiveAddr"])
        if not addr.startswith(("http://", "https://")):
            out.append((sid, MessageError(f"SubscribeObject.ReceiveAddr: {addr!r} is not an http(s) URL")))
            continue
        cancel = str(item["OperateType"]) == "1"
        out.append((sid, Subscription(str(sid), kinds, resources, begin, end, addr, cancel, dict(item))))
    return out


def subscribe_body(subs: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    return {"SubscribeListObject": {"SubscribeObject": list(subs)}}


def notification(notification_id: str, subscription_id: str, objects: Mapping[str, Sequence[Mapping[str, Any]]],
                 title: str = "anfang", now: float | None = None) -> dict[str, Any]:
    """One SubscribeNotificationObject carrying ``objects`` (record type -> GA/T 1400 objects)."""
    ids: list[str] = []
    out: dict[str, Any] = {"NotificationID": notification_id, "SubscribeID": subscription_id, "Title": title,
                           "TriggerTime": gat_time(now)}  # fmt: skip
    for kind, items in objects.items():
        if not items:
            continue
        _list, obj_key, shape, _path = KINDS[kind]
        ids.extend(str(i.get(f"{shape}ID", "")) for i in items)
        out[NOTIFICATION_LISTS[kind]] = {obj_key: list(items)}
    out["InfoIDs"] = ",".join(ids)
    return out


def notifications_body(items: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    return {"SubscribeNotificationListObject": {"SubscribeNotificationObject": list(items)}}


def parse_notifications(body: Mapping[str, Any]) -> list[tuple[str, dict[str, list[Any]]]]:
    """``(NotificationID, {record type: objects})`` per SubscribeNotificationObject."""
    outer = body.get("SubscribeNotificationListObject")
    items = outer.get("SubscribeNotificationObject") if isinstance(outer, Mapping) else None
    if isinstance(items, Mapping):
        items = [items]
    if not isinstance(items, list):
        raise MessageError("body lacks SubscribeNotificationListObject.SubscribeNotificationObject")
    out: list[tuple[str, dict[str, list[Any]]]] = []
    for item in items:
        if not isinstance(item, Mapping):
            raise MessageError("SubscribeNotificationObject is not an object")
        found: dict[str, list[Any]] = {}
        for kind, key in NOTIFICATION_LISTS.items():
            inner = item.get(key)
            if isinstance(inner, Mapping):
                objs = inner.get(KINDS[kind][1])
                found[kind] = [objs] if isinstance(objs, Mapping) else list(objs or [])
        out.append((str(item.get("NotificationID", "")), found))
    return out


__all__ = ["CONTENT_TYPE", "IdError", "MessageError", "Subscription"]
