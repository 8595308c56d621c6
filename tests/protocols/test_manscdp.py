"""MANSCDP: encodings, queries, multi-packet catalogs (from the real trace), alarms."""

from __future__ import annotations

import pytest

from anfang.gb28181.protocol.manscdp import (
    CatalogAssembler,
    ManscdpError,
    alarm_event,
    build_document,
    build_query,
    channel_tree,
    decode_body,
    parse_manscdp,
)
from anfang.protocols.sip import Request, parse_message


def test_gb2312_and_utf8_and_fallback() -> None:
    name = "前门摄像机"
    gb = build_document("Notify", "Keepalive", 1, "34020000001320000001", {"Name": name})
    assert b'encoding="GB2312"' in gb and name.encode("gb2312") in gb
    assert parse_manscdp(gb).fields["Name"] == name
    utf = build_document("Notify", "Keepalive", 1, "34020000001320000001", {"Name": name}, encoding="UTF-8")
    assert parse_manscdp(utf).fields["Name"] == name
    # Declared UTF-8 but really GB2312 (seen on cheap DVRs): fall back instead of failing.
    lying = gb.replace(b"GB2312", b"UTF-8")
    assert decode_body(lying)[1] == "gb18030"
    assert parse_manscdp(lying).fields["Name"] == name
    # No declaration at all.
    assert parse_manscdp(b"<Notify><CmdType>Keepalive</CmdType><SN>3</SN></Notify>").sn == 3


def test_queries() -> None:
    for cmd in ("Catalog", "DeviceInfo", "DeviceStatus"):
        msg = parse_manscdp(build_query(cmd, 7, "34020000001320000001"))
        assert (msg.kind, msg.cmd_type, msg.sn, msg.device_id) == ("Query", cmd, 7, "34020000001320000001")
    rec = parse_manscdp(build_query("RecordInfo", 8, "34020000001320000001", StartTime="2026-11-30T00:00:00",
                                    EndTime="2026-11-30T23:59:59", Type="all"))
    assert rec.fields["StartTime"] == "2026-11-30T00:00:00"
    with pytest.raises(ValueError, match="StartTime"):
        build_query("RecordInfo", 1, "x")
    with pytest.raises(ValueError, match="unknown"):
        build_query("Nope", 1, "x")


@pytest.mark.parametrize(("body", "words"), [
    (b"<a>", "well-formed"), (b"<Notify><SN>1</SN></Notify>", "CmdType"),
    (b'<!DOCTYPE x [<!ENTITY a "b">]><Notify/>', "DOCTYPE"), (b"<Q><CmdType>A</CmdType><SN>x</SN></Q>", "SN"),
])
def test_bad_bodies(body: bytes, words: str) -> None:
    with pytest.raises(ManscdpError, match=words):
        parse_manscdp(body)


def test_trace_keepalives_and_multipacket_catalog(trace_messages: list[tuple[str, str, bytes]]) -> None:
    bodies = [m.body for m in (parse_message(r, lenient=True) for _, _, r in trace_messages)
              if isinstance(m, Request) and m.method == "MESSAGE" and m.body]
    docs = [parse_manscdp(b) for b in bodies]
    keepalives = [d for d in docs if d.cmd_type == "Keepalive"]
    assert len(keepalives) == 703 and {d.kind for d in keepalives} == {"Notify"}
    responses = [d for d in docs if d.kind == "Response" and d.cmd_type == "Catalog"]
    assert responses, "the trace holds Catalog responses"
    asm = CatalogAssembler()
    done = [c for c in (asm.feed(d) for d in responses) if c is not None]
    nvr = [c for c in done if any(x.device_id == "44198700001510000001" for x in c)]
    assert len(nvr) == 1 and len(nvr[0]) == 5, "SumNum 5 sent one item per packet must assemble to 5 items"
    tree = channel_tree(nvr[0])
    assert [c.device_id for c in tree[None]] == ["46010000002000000100"], "the platform item is the root"
    assert len(tree["46010000002000000100"]) == 4
    assert len(done) == 6, "the single-item catalog of 34010000001310000001 completes on each of 5 repeats"


def test_catalog_assembly_with_parents_and_duplicates() -> None:
    def packet(ids: list[tuple[str, str]]) -> bytes:
        items = "".join(f"<Item><DeviceID>{i}</DeviceID><Name>n</Name><ParentID>{p}</ParentID></Item>" for i, p in ids)
        return (f"<Response><CmdType>Catalog</CmdType><SN>9</SN><DeviceID>34020000001180000001</DeviceID>"
                f"<SumNum>3</SumNum><DeviceList Num=\"{len(ids)}\">{items}</DeviceList></Response>").encode()
    asm = CatalogAssembler()
    group = ("34020000002150000001", "34020000001180000001")
    cam = ("34020000001320000001", "34020000002150000001")
    assert asm.feed(parse_manscdp(packet([group]))) is None
    assert asm.feed(parse_manscdp(packet([group]))) is None, "a repeated packet must not count twice"
    assert asm.pending() == {("34020000001180000001", 9): 1}
    channels = asm.feed(parse_manscdp(packet([cam, ("34020000001320000002", "34020000002150000001")])))
    assert channels is not None and len(channels) == 3
    tree = channel_tree(channels)
    assert [c.device_id for c in tree[None]] == ["34020000002150000001"]
    assert len(tree["34020000002150000001"]) == 2


def test_alarm_notify_becomes_event() -> None:
    body = build_document("Notify", "Alarm", 5, "34020000001340000001", {
        "AlarmPriority": 1, "AlarmMethod": 5, "AlarmTime": "2026-11-30T12:00:00", "AlarmDescription": "移动侦测",
        "Longitude": "116.3", "Latitude": "39.9", "Info": {"AlarmType": 2}})
    event = alarm_event(parse_manscdp(body), now=100.0)
    assert event.type == "device_alarm" and event.camera_id == "34020000001340000001"
    assert event.attributes["priority"] == 1 and event.attributes["method"] == "video"
    assert event.attributes["alarm_type"] == "2" and event.attributes["description"] == "移动侦测"
    assert event.to_dict()["attributes"]["latitude"] == 39.9
