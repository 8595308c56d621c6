"""Device id parsing names what is wrong; PTZ bytes match the standard's layout and checksum."""

from __future__ import annotations

import pytest

from anfang.gb28181.protocol.ids import DeviceIdError, is_device_id, parse_device_id
from anfang.gb28181.protocol.ptz import PtzMove, parse_ptz_command, ptz_command


def test_parse_valid_ids() -> None:
    d = parse_device_id("34020000001320000001")
    assert (d.centre, d.industry, d.type_code, d.network, d.serial) == ("34020000", "00", 132, 0, "000001")
    assert d.type_name == "IPC" and d.is_channel and str(d) == "34020000001320000001"
    assert parse_device_id("34020000002000000001").type_name == "SIP server"
    assert parse_device_id("34020000001180000001").type_name == "NVR"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("3402000000132000001", "19 characters"),
        ("3402000000132000000X", "non-digit 'X' at position 20"),
        ("34020000009990000001", "type code 999"),
        ("00020000001320000001", "province 00"),
    ],
)
def test_bad_ids_name_the_problem(text: str, words: str) -> None:
    with pytest.raises(DeviceIdError, match=words):
        parse_device_id(text)


def test_extension_types_allowed_when_lenient() -> None:
    assert is_device_id("34020000009990000001")
    assert not is_device_id("abc")


def test_ptz_known_vectors() -> None:
    assert ptz_command(PtzMove()) == "A50F0100000000B5"  # stop
    assert ptz_command(PtzMove(tilt=1, tilt_speed=0xFA)) == "A50F010800FA00B7"  # up
    cmd = ptz_command(PtzMove(pan=-1, zoom=1, pan_speed=0x10, zoom_speed=3), address=0x123)
    address, code, raw = parse_ptz_command(cmd)
    assert address == 0x123 and code == 0x02 | 0x10 and raw[4] == 0x10 and raw[6] >> 4 == 3


def test_ptz_bad_input() -> None:
    with pytest.raises(ValueError, match="checksum"):
        parse_ptz_command("A50F0100000000B6")
    with pytest.raises(ValueError, match="zoom_speed"):
        ptz_command(PtzMove(zoom=1, zoom_speed=16))
