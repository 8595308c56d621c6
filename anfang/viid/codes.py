"""GA/T 1400 code tables used on the wire (our own wording of the standard's tables).

StatusCode is GA/T 1400.4's answer code in every ResponseStatusObject; the others are GA/T 1400.3 data
codes. Values are strings where the standard types them as codes, ints where it types them as numbers.
"""

from __future__ import annotations

from enum import IntEnum


class Status(IntEnum):
    """ResponseStatusObject.StatusCode."""

    OK = 0
    OTHER_ERROR = 1
    DEVICE_BUSY = 2
    DEVICE_ERROR = 3
    INVALID_OPERATION = 4
    INVALID_XML_FORMAT = 5
    INVALID_XML_CONTENT = 6
    INVALID_JSON_FORMAT = 7
    INVALID_JSON_CONTENT = 8
    REBOOT = 9


STATUS_STRINGS = {
    Status.OK: "正常",
    Status.OTHER_ERROR: "其他未知错误",
    Status.DEVICE_BUSY: "设备忙",
    Status.DEVICE_ERROR: "设备错",
    Status.INVALID_OPERATION: "无效操作",
    Status.INVALID_XML_FORMAT: "XML格式无效",
    Status.INVALID_XML_CONTENT: "XML内容无效",
    Status.INVALID_JSON_FORMAT: "JSON格式无效",
    Status.INVALID_JSON_CONTENT: "JSON内容无效",
    Status.REBOOT: "系统重启中",
}

# ColorType (颜色类型): CoatColor, TrousersColor, HairColor, VehicleColor, PlateColor, ...
COLOR = {"1": "black", "2": "white", "3": "gray", "4": "red", "5": "blue", "6": "yellow", "7": "orange",
         "8": "brown", "9": "green", "10": "purple", "11": "cyan", "12": "pink", "13": "transparent",
         "99": "other"}  # fmt: skip
# GB/T 2261.1 human sex code.
GENDER = {"0": "unknown", "1": "male", "2": "female", "9": "unspecified"}
# InfoKind (信息分类): how the object was produced.
INFO_KIND = {0: "other", 1: "automatic", 2: "manual"}
# ImageType (图像类型) of a SubImageInfo.
IMAGE_TYPE = {"01": "vehicle_scene", "02": "plate_colour", "03": "plate_binary", "04": "driver_face",
              "05": "co_driver_face", "06": "vehicle_logo", "07": "violation_composite", "08": "pass_composite",
              "09": "vehicle_close_up", "10": "person", "11": "face", "12": "non_motor_vehicle", "13": "thing",
              "14": "scene", "100": "general"}  # fmt: skip
FILE_FORMAT = {"Jpeg", "Bmp", "Gif", "Png", "Tiff", "Other"}
HAS_PLATE = {"0": "no", "1": "yes"}
# SubscribeDetail (订阅类别): a Subscribe lists one or more, comma separated.
SUBSCRIBE_DETAIL = {"1": "case_catalog", "2": "case", "3": "device_catalog", "4": "device_status",
                    "5": "system_catalog", "6": "system_status", "7": "tollgate_catalog", "8": "tollgate_record",
                    "9": "lane_catalog", "10": "lane_record", "11": "person", "12": "face", "13": "motor_vehicle",
                    "14": "non_motor_vehicle", "15": "thing", "16": "file"}  # fmt: skip
SUBSCRIBE_CODE = {v: k for k, v in SUBSCRIBE_DETAIL.items()}
OPERATE_TYPE = {0: "subscribe", 1: "cancel"}
SUBSCRIBE_STATUS = {0: "subscribing", 1: "cancelled", 2: "expired", 9: "not_subscribed"}
TIME_MODE = {"1": "network", "2": "manual"}

TABLES: dict[str, object] = {
    "color": COLOR, "gender": GENDER, "info_kind": INFO_KIND, "image_type": IMAGE_TYPE, "file_format": FILE_FORMAT,
    "has_plate": HAS_PLATE, "status": {int(s): s.name for s in Status}, "operate_type": OPERATE_TYPE,
    "subscribe_status": SUBSCRIBE_STATUS, "time_mode": TIME_MODE, "subscribe_detail": SUBSCRIBE_DETAIL,
}  # fmt: skip
