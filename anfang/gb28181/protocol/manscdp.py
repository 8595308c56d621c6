"""MANSCDP: the XML bodies of GB/T 28181 MESSAGE/NOTIFY/SUBSCRIBE (queries, responses, notifies, controls).

Devices send GB2312 or UTF-8 and do not always say which, so decoding follows the XML declaration and
falls back (UTF-8, then GB18030 which is a superset of GB2312) rather than failing on a camera's name.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from anfang.events.model import Event

CONTENT_TYPE = "Application/MANSCDP+xml"
_DECL_RE = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9_.-]+)["'][^>]*\?>""")
_ANY_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>")


class ManscdpError(ValueError):
    """A body that is not a MANSCDP document; the message says why."""


@dataclass
class ManscdpMessage:
    """One parsed document: root kind (Query/Response/Notify/Control), CmdType, SN, DeviceID, fields."""

    kind: str
    cmd_type: str
    sn: int
    device_id: str
    fields: dict[str, str]
    element: ET.Element
    encoding: str


def decode_body(body: bytes) -> tuple[str, str]:
    """(text, encoding used). Declared encoding first; GB2312 is read as GB18030 (its superset)."""
    m = _DECL_RE.match(body)
    declared = m.group(1).decode().lower() if m else None
    order = [declared] if declared else []
    order += ["utf-8", "gb18030"]
    for enc in order:
        codec = "gb18030" if enc in ("gb2312", "gbk", "gb18030") else enc
        try:
            return body.decode(codec), enc
        except (UnicodeDecodeError, LookupError):
            continue
    return body.decode("latin-1"), "latin-1"


def parse_manscdp(body: bytes) -> ManscdpMessage:
    """Parse a MANSCDP body; DTDs/entities are refused (no XML bombs from a hostile 'camera')."""
    text, encoding = decode_body(body)
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        raise ManscdpError("DOCTYPE/ENTITY not allowed in MANSCDP bodies")
    text = _ANY_DECL_RE.sub("", text, count=1).strip()
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise ManscdpError(f"body is not well-formed XML: {exc}") from exc
    cmd = root.findtext("CmdType")
    if not cmd:
        raise ManscdpError(f"<{root.tag}> has no CmdType")
    sn_text = (root.findtext("SN") or "0").strip()
    try:
        sn = int(sn_text)
    except ValueError as exc:
        raise ManscdpError(f"SN {sn_text!r} is not a number") from exc
    fields = {child.tag: (child.text or "").strip() for child in root if len(child) == 0}
    return ManscdpMessage(root.tag, cmd.strip(), sn, (root.findtext("DeviceID") or "").strip(), fields, root,
                          encoding)


def build_document(kind: str, cmd_type: str, sn: int, device_id: str, extra: dict[str, Any] | None = None,
                   encoding: str = "GB2312") -> bytes:
    """Serialise a flat document (nested dicts become nested elements) in ``encoding``."""
    lines = [f'<?xml version="1.0" encoding="{encoding}"?>', f"<{kind}>", f"<CmdType>{escape(cmd_type)}</CmdType>",
             f"<SN>{sn}</SN>", f"<DeviceID>{escape(device_id)}</DeviceID>"]
    lines += _elements(extra or {})
    lines.append(f"</{kind}>")
    codec = "gb18030" if encoding.lower() in ("gb2312", "gbk") else encoding
    return ("\r\n".join(lines) + "\r\n").encode(codec)


def _elements(values: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for key, value in values.items():
        if value is None:
            continue
        if isinstance(value, dict):
            out += [f"<{key}>", *_elements(value), f"</{key}>"]
        else:
            out.append(f"<{key}>{escape(str(value))}</{key}>")
    return out


def build_query(cmd_type: str, sn: int, device_id: str, **extra: Any) -> bytes:
    """Catalog / DeviceInfo / DeviceStatus / RecordInfo (StartTime, EndTime, Type ...) queries."""
    if cmd_type not in ("Catalog", "DeviceInfo", "DeviceStatus", "RecordInfo", "ConfigDownload", "PresetQuery"):
        raise ValueError(f"unknown query CmdType {cmd_type!r}")
    if cmd_type == "RecordInfo" and not ("StartTime" in extra and "EndTime" in extra):
        raise ValueError("RecordInfo needs StartTime and EndTime (YYYY-MM-DDThh:mm:ss)")
    return build_document("Query", cmd_type, sn, device_id, extra)


def build_ptz_control(sn: int, device_id: str, ptz_cmd: str) -> bytes:
    """DeviceControl with a PTZCmd from :func:`anfang.gb28181.protocol.ptz.ptz_command`."""
    extra = {"PTZCmd": ptz_cmd, "Info": {"ControlPriority": 5}}
    return build_document("Control", "DeviceControl", sn, device_id, extra)


def build_keepalive(sn: int, device_id: str) -> bytes:
    return build_document("Notify", "Keepalive", sn, device_id, {"Status": "OK"})


@dataclass
class Channel:
    """One catalog item: a camera channel, alarm input, or a grouping node (ParentID links the tree)."""

    device_id: str
    name: str
    parent_id: str | None
    status: str
    fields: dict[str, str]


def catalog_items(msg: ManscdpMessage) -> tuple[int, list[Channel]]:
    """(SumNum, items in this packet) of a Catalog Response or Notify."""
    sum_text = msg.fields.get("SumNum", "0")
    total = int(sum_text) if sum_text.isdigit() else 0
    items = []
    for item in msg.element.iterfind("DeviceList/Item"):
        f = {child.tag: (child.text or "").strip() for child in item if len(child) == 0}
        parent = f.get("ParentID") or None
        items.append(Channel(f.get("DeviceID", ""), f.get("Name", ""), parent, f.get("Status", ""), f))
    return total, items


@dataclass
class CatalogAssembler:
    """Joins multi-packet Catalog responses (same device + SN) until SumNum items have arrived."""

    _parts: dict[tuple[str, int], dict[str, Channel]] = field(default_factory=dict)

    def feed(self, msg: ManscdpMessage) -> list[Channel] | None:
        """Add one packet; return the whole catalog when complete (items keyed by id, so repeats don't count)."""
        total, items = catalog_items(msg)
        key = (msg.device_id, msg.sn)
        part = self._parts.setdefault(key, {})
        for item in items:
            part[item.device_id] = item
        if len(part) >= total:
            del self._parts[key]
            return list(part.values())
        return None

    def pending(self) -> dict[tuple[str, int], int]:
        return {k: len(v) for k, v in self._parts.items()}


def channel_tree(channels: list[Channel]) -> dict[str | None, list[Channel]]:
    """Children per parent id (None = roots) so a UI can show NVR → channels, groups → cameras."""
    ids = {c.device_id for c in channels}
    tree: dict[str | None, list[Channel]] = {}
    for c in channels:
        parent = c.parent_id if c.parent_id in ids else None
        tree.setdefault(parent, []).append(c)
    return tree


ALARM_METHODS = {"1": "phone", "2": "device", "3": "sms", "4": "gps", "5": "video", "6": "device_fault", "7": "other"}


def alarm_event(msg: ManscdpMessage, now: float) -> Event:
    """Alarm Notify → anfang Event(type="device_alarm") with priority/method/type as attributes."""
    if msg.cmd_type != "Alarm":
        raise ManscdpError(f"CmdType {msg.cmd_type!r} is not Alarm")
    f = msg.fields
    method = f.get("AlarmMethod", "")
    attrs: dict[str, Any] = {
        "priority": int(f["AlarmPriority"]) if f.get("AlarmPriority", "").isdigit() else None,
        "method": ALARM_METHODS.get(method, method),
        "alarm_type": (msg.element.findtext("Info/AlarmType") or f.get("AlarmType") or "").strip() or None,
        "description": f.get("AlarmDescription") or None,
        "alarm_time": f.get("AlarmTime") or None,
        "sn": msg.sn,
    }
    for key in ("Longitude", "Latitude"):
        if f.get(key):
            attrs[key.lower()] = float(f[key])
    return Event(camera_id=msg.device_id, rule="gb28181", type="device_alarm", start_time=now, attributes=attrs)
