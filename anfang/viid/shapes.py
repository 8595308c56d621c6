"""GA/T 1400 object shapes as data: each object's field names with their types and code tables.

Written from the field lists GA/T 1400.3 publishes (our own wording, a subset of the rarely used fields
left out); :func:`validate` checks a dict against them. The server validates every posted object before it
becomes a record (StatusCode 8 names the field), and the tests validate the JSON we send, so both directions
are held to the same tables.

A spec is ``"<type>"`` with ``!`` appended when the field is required. Types: ``id48`` / ``id41`` data IDs,
``dev`` a 20-digit device ID, ``dt`` ``YYYYMMDDhhmmss``, ``int``, ``num``, ``str<N>`` (at most N
characters), ``code:<table>`` (a value of :data:`anfang.viid.codes.TABLES`), ``codes:<table>``
(comma-separated), ``b64`` (Base64), ``list:<Shape>`` (``{"<Shape>Object": [...]}`` or a bare list for
SubImageInfo), ``obj:<Shape>``.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from typing import Any

from anfang.viid import codes
from anfang.viid.ids import IdError, check_device_id, parse_data_id

_BOX = {"LeftTopX": "int", "LeftTopY": "int", "RightBtmX": "int", "RightBtmY": "int"}
_PEOPLE = {  # fields Person and Face share
    "InfoKind": "code:info_kind!", "SourceID": "id41!", "DeviceID": "dev", **_BOX,
    "LocationMarkTime": "dt", "IDType": "str3", "IDNumber": "str30", "Name": "str50", "UsedName": "str50",
    "Alias": "str50", "GenderCode": "code:gender", "AgeUpLimit": "int", "AgeLowerLimit": "int",
    "EthicCode": "str2", "NationalityCode": "str3", "NativeCityCode": "str6", "ResidenceAdminDivision": "str6",
    "ChineseAccentCode": "str6", "JobCategory": "str3", "AccompanyNumber": "int", "SkinColor": "str2",
    "HairStyle": "str2", "HairColor": "code:color", "FaceStyle": "str4", "FacialFeature": "str40",
    "PhysicalFeature": "str200", "RespiratorColor": "code:color", "CapStyle": "str2", "CapColor": "code:color",
    "GlassStyle": "str2", "GlassColor": "code:color", "IsDriver": "int", "IsForeigner": "int",
    "PassportType": "str2", "ImmigrantTypeCode": "str2", "IsSuspectedTerrorist": "int",
    "SuspectedTerroristNumber": "str19", "IsCriminalInvolved": "int", "CriminalInvolvedSpecilisationCode": "str2",
    "BodySpeciallMark": "str7", "CrimeMethod": "str4", "CrimeCharacterCode": "str3",
    "EscapedCriminalNumber": "str23", "IsDetainees": "int", "DetentionHouseCode": "str9",
    "DetaineesIdentity": "str2", "DetaineesSpecialIdentity": "str2", "MemberTypeCode": "str2", "IsVictim": "int",
    "VictimType": "str3", "InjuredDegree": "str1", "CorpseConditionCode": "str2", "IsSuspiciousPerson": "int",
    "SubImageList": "list:SubImageInfo",
}  # fmt: skip
_VEHICLES = {  # fields MotorVehicle and NonMotorVehicle share
    "InfoKind": "code:info_kind!", "SourceID": "id41!", "DeviceID": "dev", **_BOX,
    "MarkTime": "dt", "AppearTime": "dt", "DisappearTime": "dt", "HasPlate": "code:has_plate",
    "PlateClass": "str2", "PlateColor": "code:color", "PlateNo": "str15", "PlateNoAttach": "str15",
    "PlateDescribe": "str64", "IsDecked": "str1", "DeckPlateNo": "str15", "DeckPlateColor": "code:color",
    "IsAltered": "str1", "AlteredPlateNo": "str15", "AlteredPlateColor": "code:color", "IsCovered": "str1",
    "CoveredPlateNo": "str15", "CoveredPlateColor": "code:color", "Speed": "num", "Direction": "str1",
    "DrivingStatusCode": "str4", "UsingPropertiesCode": "str1", "VehicleBrand": "str32", "VehicleLength": "int",
    "VehicleWidth": "int", "VehicleHeight": "int", "VehicleColor": "code:color", "VehicleHood": "str64",
    "VehicleTrunk": "str64", "VehicleWheel": "str64", "WheelPrintedPattern": "str2", "VehicleWindow": "str64",
    "VehicleRoof": "str64", "VehicleDoor": "str64", "SideOfVehicle": "str64", "CarOfVehicle": "str64",
    "RearviewMirror": "str64", "VehicleChassis": "str64", "VehicleShielding": "str64", "FilmColor": "str1",
    "IsModified": "int", "SubImageList": "list:SubImageInfo",
}  # fmt: skip

SHAPES: dict[str, dict[str, str]] = {
    "SubImageInfo": {
        "ImageID": "id41!", "EventSort": "int!", "DeviceID": "dev!", "StoragePath": "str256",
        "Type": "code:image_type!", "FileFormat": "code:file_format!", "ShotTime": "dt!", "Width": "int",
        "Height": "int", "Data": "b64",
    },
    "Person": {
        "PersonID": "id48!", **_PEOPLE, "PersonAppearTime": "dt", "PersonDisAppearTime": "dt",
        "HeightUpLimit": "int", "HeightLowerLimit": "int", "BodyType": "str2", "Gesture": "str2", "Status": "str2",
        "BodyFeature": "str70", "HabitualMovement": "str2", "Behavior": "str2", "BehaviorDescription": "str256",
        "Appendant": "str128", "AppendantDescription": "str256", "UmbrellaColor": "code:color",
        "ScarfColor": "code:color", "BagStyle": "str2", "BagColor": "code:color", "CoatStyle": "str2",
        "CoatLength": "str2", "CoatColor": "code:color", "TrousersStyle": "str2", "TrousersColor": "code:color",
        "TrousersLen": "str2", "ShoesStyle": "str2", "ShoesColor": "code:color",
    },
    "Face": {
        "FaceID": "id48!", **_PEOPLE, "FaceAppearTime": "dt", "FaceDisAppearTime": "dt", "Attitude": "str1",
        "Similaritydegree": "num", "EyebrowStyle": "str32", "NoseStyle": "str32", "MustacheStyle": "str32",
        "LipStyle": "str32", "WrinklePouch": "str32", "AcneStain": "str32", "FreckleBirthmark": "str32",
        "ScarDimple": "str32", "OtherFeature": "str128",
    },
    "MotorVehicle": {
        "MotorVehicleID": "id48!", **_VEHICLES, "TollgateID": "dev", "StorageUrl1": "str256", "StorageUrl2": "str256",
        "StorageUrl3": "str256", "StorageUrl4": "str256", "StorageUrl5": "str256", "LaneNo": "int",
        "VehicleClass": "str3", "VehicleModel": "str32", "VehicleStyles": "str16", "VehicleColorDepth": "str1",
        "HitMarkInfo": "str1", "VehicleBodyDesc": "str128", "VehicleFrontItem": "str1", "DescOfFrontItem": "str256",
        "VehicleRearItem": "str1", "DescOfRearItem": "str256", "NumOfPassenger": "int", "PassTime": "dt",
        "NameOfPassedRoad": "str64", "IsSuspicious": "int", "Sunvisor": "int", "SafetyBelt": "int", "Calling": "int",
        "PlateReliability": "str3", "PlateCharReliability": "str64", "BrandReliability": "str3",
    },
    "NonMotorVehicle": {"NonMotorVehicleID": "id48!", **_VEHICLES, "VehicleType": "str64"},
    "ImageInfo": {
        "ImageID": "id41!", "InfoKind": "code:info_kind!", "ImageSource": "str2!", "SourceVideoID": "str41",
        "OriginImageID": "str41", "EventSort": "int!", "DeviceID": "dev!", "StoragePath": "str256",
        "FileHash": "str128", "FileFormat": "code:file_format!", "ShotTime": "dt", "Title": "str128!",
        "TitleNote": "str128", "SpecialIName": "str128", "Keyword": "str200", "ContentDescription": "str256",
        "SubjectCharacter": "str256", "ShotPlaceCode": "str6", "ShotPlaceFullAdress": "str100",
        "Width": "int!", "Height": "int!", "CameraManufacturer": "str256", "CameraVersion": "str64",
        "FileSize": "int", "SecurityLevel": "str1",
    },  # fmt: skip
    "Register": {"DeviceID": "dev!"},
    "UnRegister": {"DeviceID": "dev!"},
    "Keepalive": {"DeviceID": "dev!"},
    "SystemTime": {"VIIDServerID": "dev!", "TimeMode": "code:time_mode!", "LocalTime": "dt!", "TimeZone": "str64"},
    "ResponseStatus": {
        "RequestURL": "str256!", "StatusCode": "code:status!", "StatusString": "str256!", "Id": "str64",
        "LocalTime": "dt",
    },
    "Subscribe": {
        "SubscribeID": "str64!", "Title": "str256!", "SubscribeDetail": "codes:subscribe_detail!",
        "ResourceURI": "str2048!", "ApplicantName": "str50!", "ApplicantOrg": "str100!", "BeginTime": "dt!",
        "EndTime": "dt!", "ReceiveAddr": "str256!", "ReportInterval": "int", "Reason": "str256",
        "OperateType": "code:operate_type!", "SubscribeStatus": "code:subscribe_status", "SubscribeCancelOrg": "str100",
        "SubscribeCancelPerson": "str50", "CancelTime": "dt", "CancelReason": "str256", "ResourceClass": "int",
        "ResultImageDeclare": "str2", "ResultFeatureDeclare": "int", "TabID": "str64",
    },  # fmt: skip
    "SubscribeNotification": {
        "NotificationID": "str64!", "SubscribeID": "str64!", "Title": "str256!", "TriggerTime": "dt!",
        "InfoIDs": "str4096!", "PersonObjectList": "list:Person", "FaceObjectList": "list:Face",
        "MotorVehicleObjectList": "list:MotorVehicle", "NonMotorVehicleObjectList": "list:NonMotorVehicle",
        "ExecuteOperation": "int",
    },
}

# Record type -> (list key, object key, shape, path) for the four object kinds we store.
KINDS = {
    "person": ("PersonListObject", "PersonObject", "Person", "/VIID/Persons"),
    "face": ("FaceListObject", "FaceObject", "Face", "/VIID/Faces"),
    "motor_vehicle": ("MotorVehicleListObject", "MotorVehicleObject", "MotorVehicle", "/VIID/MotorVehicles"),
    "non_motor_vehicle": (
        "NonMotorVehicleListObject", "NonMotorVehicleObject", "NonMotorVehicle", "/VIID/NonMotorVehicles",
    ),
}  # fmt: skip
SHAPE_KIND = {shape: kind for kind, (_l, _o, shape, _p) in KINDS.items()}
_DT = re.compile(r"^\d{14}$")
_B64 = re.compile(rb"^[A-Za-z0-9+/\r\n]*={0,2}\s*$")


def id_field(shape: str) -> str:
    """The name of the shape's own ID field (``PersonID``, ``FaceID``, ...)."""
    return f"{shape}ID"


def _items(value: Any, shape: str) -> list[Any] | None:
    if shape == "SubImageInfo" and isinstance(value, dict):
        value = value.get("SubImageInfoObject", [])
    elif isinstance(value, dict):
        value = value.get(f"{shape}Object", [])
    return value if isinstance(value, list) else None


def _check(value: Any, typ: str, path: str, strict: bool, errors: list[str]) -> None:
    def bad(why: str) -> None:
        errors.append(f"{path}: {why}")

    if typ in ("id48", "id41"):
        if not isinstance(value, str):
            return bad(f"expected a string data ID, got {type(value).__name__}")
        try:
            parse_data_id(value)
        except IdError as exc:
            return bad(str(exc))
        if len(value) != int(typ[2:]):
            bad(f"expected {typ[2:]} digits, got {len(value)}")
    elif typ == "dev":
        try:
            check_device_id(value)
        except IdError as exc:
            bad(str(exc))
    elif typ == "dt":
        if not (isinstance(value, str) and _DT.match(value)):
            bad(f"expected YYYYMMDDhhmmss, got {value!r}")
    elif typ in ("int", "num"):
        wrong = isinstance(value, bool) or not isinstance(value, (int, float) if typ == "num" else int)
        quoted = isinstance(value, str) and value.strip().lstrip("-").replace(".", "", typ == "num").isdigit()
        if wrong and (strict or not quoted):
            bad(f"expected {'a number' if typ == 'num' else 'an integer'}, got {value!r}")
    elif typ.startswith("str"):
        if not isinstance(value, str):
            if strict or not isinstance(value, (int, float)):
                return bad(f"expected a string, got {type(value).__name__}")
            value = str(value)
        if len(value) > int(typ[3:]):
            bad(f"longer than {typ[3:]} characters")
    elif typ.startswith(("code:", "codes:")):
        table = codes.TABLES[typ.partition(":")[2]]
        assert isinstance(table, (dict, set))
        numeric = any(isinstance(k, int) for k in table)
        values = value.split(",") if typ.startswith("codes:") and isinstance(value, str) else [value]
        for v in values:
            if numeric and not strict and isinstance(v, str) and v.isdigit():
                v = int(v)
            elif not numeric and not strict and isinstance(v, int) and not isinstance(v, bool):
                v = str(v)
            if isinstance(v, bool) or v not in table:
                bad(f"{v!r} is not in the {typ.partition(':')[2]} code table")
    elif typ == "b64":
        if not isinstance(value, str):
            return bad("expected Base64 text")
        try:
            base64.b64decode(value, validate=False)
        except (binascii.Error, ValueError):
            bad("not valid Base64")
    elif typ.startswith("list:"):
        shape = typ[5:]
        items = _items(value, shape)
        if items is None:
            return bad(f"expected a list of {shape} objects")
        for i, item in enumerate(items):
            errors.extend(validate(item, shape, strict=strict, path=f"{path}[{i}]"))
    elif typ.startswith("obj:"):
        errors.extend(validate(value, typ[4:], strict=strict, path=path))
    else:  # pragma: no cover - a typo in the tables above
        raise KeyError(typ)


def validate(obj: Any, shape: str, strict: bool = True, path: str | None = None) -> list[str]:
    """Every way ``obj`` departs from ``shape``, as ``"Field: why"`` lines (empty: it conforms).

    ``strict`` (what we send): unknown field names and numbers written as strings are errors. Not strict
    (what we receive): the standard has more fields than these tables and many devices quote numbers, so
    both are accepted; types, lengths, IDs and codes of the known fields are still checked.
    """
    where = path or shape
    if not isinstance(obj, Mapping):
        return [f"{where}: expected an object, got {type(obj).__name__}"]
    fields = SHAPES[shape]
    errors: list[str] = []
    for name, want in fields.items():
        if want.endswith("!") and obj.get(name) in (None, ""):
            errors.append(f"{where}.{name}: required")
    for name, value in obj.items():
        spec = fields.get(name)
        if spec is None:
            if strict:
                errors.append(f"{where}.{name}: not a field of {shape}")
            continue
        if value is None:
            continue
        _check(value, spec.rstrip("!"), f"{where}.{name}", strict, errors)
    return errors
