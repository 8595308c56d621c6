"""GA/T 1400 view library: sans-IO shapes and IDs, the server behind real uvicorn with real httpx Digest
clients, and two platforms as edge and centre (records arrive once, also across a centre outage)."""

from __future__ import annotations

import base64
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import httpx
import pytest

from anfang.search.service import SearchService
from anfang.security.evidence import SIDECAR_SUFFIX
from anfang.structuring.gat1400 import to_gat
from anfang.structuring.store import RecordRow
from anfang.viid import messages
from anfang.viid.codes import Status
from anfang.viid.component import Viid
from anfang.viid.convert import from_row, to_row
from anfang.viid.ids import IdError, build_data_id, parse_data_id
from anfang.viid.shapes import KINDS, validate
from anfang.viid.tables import ReceivedRow, SpoolRow
from tests.viid_peers import CENTRE_ID, EDGE_ID, frames, free_port, make_rows, platform, records, serve_on

PASSWORD = "edge-secret-1"


# ---------------------------------------------------------------- sans-IO


def test_data_ids_build_and_parse() -> None:
    oid = build_data_id(EDGE_ID, "20240102030405", 7, "face", 12)
    assert len(oid) == 48 and oid.startswith(EDGE_ID + "02")
    parsed = parse_data_id(oid, "face")
    assert (parsed.device_id, parsed.shot_time, parsed.kind, str(parsed)) == (EDGE_ID, "20240102030405", "face", oid)
    for bad, why in ((oid[:-1], "48 digits"), (oid[:22] + "20241302030405" + oid[36:], "time part"),
                     (oid[:41] + "09" + oid[43:], "object type"), ("x" * 48, "digits only")):  # fmt: skip
        with pytest.raises(IdError, match=why):
            parse_data_id(bad)
    with pytest.raises(IdError, match="is person, not face"):
        parse_data_id(build_data_id(EDGE_ID, "20240102030405", 7, "person"), "face")


def _row(kind: str, **kw: Any) -> RecordRow:
    base = dict(id="018f2a3b4c5d" + "0" * 15 + "12345", type=kind, camera_id="cam1", appear_time=1.7e9,
                disappear_time=1.7e9 + 2, shot_time=1.7e9 + 1, box=[1, 2, 30, 40],
                attributes={"image_size": [640, 480]}, snapshot_path="a/s.jpg", crop_path="a/c.jpg",
                coat_color="red", trousers_color="blue", vehicle_color="white", plate_no="京A12345",
                plate_color="blue", gender="male", age_low=20, age_up=30)
    return RecordRow(**(base | kw))


@pytest.mark.parametrize("kind", list(KINDS))
def test_our_objects_conform_to_the_standard_shapes(kind: str) -> None:
    """Outbound: every field we send is a field of the standard with its type and code table."""
    obj = from_row(_row(kind), {"crop": b"\xff\xd8\xff crop", "snapshot": b"\xff\xd8\xff scene"})
    assert validate(obj, KINDS[kind][2]) == []
    assert len(obj["SubImageList"]["SubImageInfoObject"]) == 2
    assert validate(to_gat(_row(kind)), KINDS[kind][2]) == []
    body = messages.wrap(kind, [obj])
    assert messages.unwrap(body, kind) == [obj]


def test_validation_catches_what_the_standard_forbids() -> None:
    good = from_row(_row("person"), {})
    assert validate(good | {"Colour": "red"}, "Person") == ["Person.Colour: not a field of Person"]
    assert validate(good | {"Colour": "red"}, "Person", strict=False) == []  # inbound: more fields exist
    assert validate(good | {"CoatColor": "44"}, "Person") == ["Person.CoatColor: '44' is not in the color code table"]
    assert validate(good | {"LeftTopX": "12"}, "Person") == ["Person.LeftTopX: expected an integer, got '12'"]
    assert validate(good | {"LeftTopX": "12"}, "Person", strict=False) == []  # quoted numbers are common
    assert validate(good | {"PersonAppearTime": "2024-01-01"}, "Person")[0].startswith("Person.PersonAppearTime")
    assert validate({k: v for k, v in good.items() if k != "PersonID"}, "Person") == ["Person.PersonID: required"]
    assert "48 digits" in validate(good | {"PersonID": good["PersonID"][:47]}, "Person")[0]
    assert validate(good | {"InfoKind": 7}, "Person") == ["Person.InfoKind: 7 is not in the info_kind code table"]


def test_inbound_objects_become_rows_with_searchable_columns() -> None:
    jpeg = cv2.imencode(".jpg", cv2.UMat(32, 32, cv2.CV_8UC3).get())[1].tobytes()
    obj = from_row(_row("motor_vehicle"), {"crop": jpeg, "snapshot": jpeg})
    inbound = to_row(obj, "motor_vehicle", EDGE_ID)
    assert inbound.row["plate_no"] == "京A12345" and inbound.row["vehicle_color"] == "white"
    assert inbound.row["plate_color"] == "blue" and set(inbound.pictures) == {"crop", "snapshot"}
    assert inbound.data_id == obj["MotorVehicleID"] and inbound.row["attributes"]["viid"]["from"] == EDGE_ID
    obj["SubImageList"]["SubImageInfoObject"][0]["Data"] = base64.b64encode(b"not a picture").decode()
    with pytest.raises(messages.MessageError, match="not a JPEG"):
        to_row(obj, "motor_vehicle", EDGE_ID)
    with pytest.raises(messages.MessageError, match="is not a MotorVehicle"):
        to_row(from_row(_row("person"), {}) | {"MotorVehicleID": from_row(_row("person"), {})["PersonID"]},
               "motor_vehicle", EDGE_ID)  # fmt: skip


def test_subscribes_and_notifications_round_trip() -> None:
    sub = {"SubscribeID": "340200000000012024010203040500001", "Title": "vehicles", "SubscribeDetail": "13,11",
           "ResourceURI": EDGE_ID, "ApplicantName": "centre", "ApplicantOrg": "psb", "BeginTime": "20200101000000",
           "EndTime": "20991231235959", "ReceiveAddr": "http://127.0.0.1:1/VIID/SubscribeNotifications",
           "OperateType": 0}  # fmt: skip
    [(sid, parsed)] = messages.parse_subscribes(messages.subscribe_body([sub]))
    assert isinstance(parsed, messages.Subscription) and parsed.kinds == {"motor_vehicle", "person"}
    assert parsed.wants("person", EDGE_ID, time.time()) and not parsed.wants("face", EDGE_ID, time.time())
    assert not parsed.wants("person", CENTRE_ID, time.time())
    [(_sid, refused)] = messages.parse_subscribes(messages.subscribe_body([sub | {"SubscribeDetail": "77"}]))
    assert isinstance(refused, messages.MessageError)
    obj = from_row(_row("person"), {})
    note = messages.notification("n1", sid, {"person": [obj]})
    assert validate(note, "SubscribeNotification") == [] and note["InfoIDs"] == obj["PersonID"]
    assert messages.parse_notifications(messages.notifications_body([note])) == [("n1", {"person": [obj]})]
    answer = messages.response_list([messages.status_object("/VIID/Faces", Status.OK, "x")])
    assert [validate(s, "ResponseStatus") for s in messages.statuses(answer)] == [[]]


# ---------------------------------------------------------------- one server, real HTTP


@pytest.fixture
def centre(tmp_path: Path, models_dir: Path) -> Iterator[tuple[Any, str]]:
    viid = {"server": {"enabled": True, "server_id": CENTRE_ID, "devices": [{"device_id": EDGE_ID,
                                                                             "password": PASSWORD}]}}  # fmt: skip
    p = platform(tmp_path / "centre", models_dir, viid)
    p.start()
    with serve_on(p, free_port()) as url:
        yield p, url
    p.stop()


def test_server_digest_register_post_and_search(centre: tuple[Any, str], vtest_video: Path) -> None:
    p, url = centre
    # No credentials, wrong password, an anfang session: 401 with a Digest challenge, nothing stored.
    r = httpx.post(f"{url}/VIID/System/Register", content=b"{}")
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Digest ")
    assert 'qop="auth"' in r.headers["www-authenticate"] and "algorithm=MD5" in r.headers["www-authenticate"]
    assert r.headers["content-type"].startswith("application/VIID+JSON")
    assert r.json()["ResponseStatusObject"]["StatusCode"] == Status.INVALID_OPERATION
    bad = httpx.Client(base_url=url, auth=httpx.DigestAuth(EDGE_ID, "wrong"))
    assert bad.post("/VIID/System/Register", json=messages.system_request("Register", EDGE_ID)).status_code == 401
    edge = httpx.Client(base_url=url, auth=httpx.DigestAuth(EDGE_ID, PASSWORD),
                        headers={"Content-Type": messages.CONTENT_TYPE})  # fmt: skip
    r = edge.post("/VIID/System/Register", content=messages.encode(messages.system_request("Register", EDGE_ID)))
    assert r.status_code == 200 and r.json()["ResponseStatusObject"]["StatusCode"] == 0
    assert edge.post("/VIID/System/Keepalive", json=messages.system_request("Keepalive", EDGE_ID)).json()[
        "ResponseStatusObject"]["StatusCode"] == 0  # fmt: skip
    t = edge.get("/VIID/System/Time").json()["SystemTimeObject"]
    assert validate(t, "SystemTime") == [] and t["VIIDServerID"] == CENTRE_ID
    # Registered: User-Identify from the same address is enough (what most devices send after Register).
    plain = httpx.Client(base_url=url, headers={"User-Identify": EDGE_ID})
    assert plain.get("/VIID/System/Time").status_code == 200
    assert httpx.get(f"{url}/VIID/System/Time", headers={"User-Identify": CENTRE_ID}).status_code == 401

    # Records with real pictures: stored through the record store, searchable by attributes and plate.
    edge_rows = make_rows(records(p), frames(vtest_video, 8), camera_id="edge-cam")
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for row in edge_rows:
        obj = from_row(RecordRow(**row), {"crop": records(p).store.read_media(row["crop_path"]),
                                          "snapshot": records(p).store.read_media(row["snapshot_path"])})  # fmt: skip
        by_kind.setdefault(row["type"], []).append(obj)
    for kind, objs in by_kind.items():
        r = edge.post(KINDS[kind][3], content=messages.encode(messages.wrap(kind, objs)))
        answers = messages.statuses(r.json())
        assert [a["StatusCode"] for a in answers] == [0] * len(objs), r.text
        assert [a["Id"] for a in answers] == [o[f"{KINDS[kind][2]}ID"] for o in objs]
    search = SearchService(records(p))
    device = to_gat(RecordRow(**edge_rows[0]))["DeviceID"]
    people = search.attributes("person", [device], coat_color="red")
    assert len(people) == 2 and people[0].attributes["viid"]["from"] == EDGE_ID
    plates = search.plates("京A10001")
    assert [s.row.plate_no for s in plates] == ["京A10001"]
    crop = records(p).store.read_media(plates[0].row.crop_path)
    sent = base64.b64decode(by_kind["motor_vehicle"][0]["SubImageList"]["SubImageInfoObject"][0]["Data"])
    assert crop == sent  # the picture, byte for byte, signed by the centre's media policy
    stored = records(p).store.media_path(plates[0].row.crop_path)
    assert stored is not None and stored.with_name(stored.name + SIDECAR_SUFFIX).is_file()  # SM2-signed
    # The same batch again (a lost answer): OK, and still one record each.
    again = edge.post("/VIID/Persons", content=messages.encode(messages.wrap("person", by_kind["person"])))
    assert [a["StatusCode"] for a in messages.statuses(again.json())] == [0, 0]
    assert len(search.attributes("person", [device])) == 2

    # Bad input: a clear StatusCode, nothing stored, the good objects of the batch still stored.
    assert edge.post("/VIID/Faces", content=b"{nope").json()["ResponseStatusObject"]["StatusCode"] == 7
    assert edge.post("/VIID/Faces", json={"x": 1}).json()["ResponseStatusObject"]["StatusCode"] == 8
    broken = dict(by_kind["face"][0], FaceID="123")
    fresh = make_rows(records(p), frames(vtest_video, 4), camera_id="edge-cam", start=1_700_100_000.0)[3]
    good = from_row(RecordRow(**fresh), {})
    answers = messages.statuses(edge.post("/VIID/Faces", json=messages.wrap("face", [broken, good])).json())
    assert [a["StatusCode"] for a in answers] == [8, 0] and "FaceID" in answers[0]["StatusString"]


def test_an_anfang_session_does_not_open_viid(centre: tuple[Any, str]) -> None:
    p, url = centre
    p.users.create("op", "a-long-password-1", "admin")
    _user, token = p.users.issue("op", "session", "test")
    r = httpx.post(f"{url}/VIID/Faces", json={}, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401


# ---------------------------------------------------------------- edge -> centre


def _edge(tmp_path: Path, models_dir: Path, centre_url: str, **client: Any) -> Any:
    viid = {"client": {"enabled": True, "url": centre_url, "device_id": EDGE_ID, "password": PASSWORD,
                       "keepalive_s": 2, "retry_min_s": 0.2, "retry_max_s": 1.0, "batch": 20} | client}  # fmt: skip
    return platform(tmp_path / "edge", models_dir, viid)


def _wait(predicate: Any, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def _count(p: Any) -> int:
    from sqlalchemy import func, select

    with p.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(ReceivedRow)).scalar_one())


def test_edge_records_reach_the_centre_once_across_an_outage(tmp_path: Path, models_dir: Path,
                                                             vtest_video: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    cviid = {"server": {"enabled": True, "server_id": CENTRE_ID,
                        "devices": [{"device_id": EDGE_ID, "password": PASSWORD}]}}  # fmt: skip
    images = frames(vtest_video, 60)
    edge = _edge(tmp_path, models_dir, url)
    edge.start()
    centre = platform(tmp_path / "centre", models_dir, cviid)
    centre.start()
    try:
        with serve_on(centre, port):
            records(edge).add_rows(make_rows(records(edge), images[:20]))
            _wait(lambda: _count(centre) == 20)
        centre.stop()  # the centre is gone: its server and its platform
        records(edge).add_rows(make_rows(records(edge), images[20:40], start=1_700_001_000.0))
        time.sleep(float(os.environ.get("ANFANG_VIID_OUTAGE_S", "10")))  # 60 once for docs/viid.md
        records(edge).add_rows(make_rows(records(edge), images[40:], start=1_700_002_000.0))
        client = edge.get(Viid).client
        assert client is not None and client.spool.count() == 40  # every record waits in the spool
        centre = platform(tmp_path / "centre", models_dir, cviid)  # a fresh process over the same data
        centre.start()
        with serve_on(centre, port):
            _wait(lambda: client.spool.count() == 0)
            time.sleep(1.0)
            assert _count(centre) == 60
            rows = records(centre).store.query(limit=1000)
            ids = [r.attributes["viid"]["id"] for r in rows]
            assert len(rows) == 60 and len(set(ids)) == 60  # each once
            # Replayed in order: the centre stored them (its record ids sort by arrival) in the edge's order.
            arrival = [r.shot_time for r in sorted(rows, key=lambda r: r.id)]
            assert arrival == sorted(arrival)
            plates = SearchService(records(centre)).plates("京A10001")
            assert len(plates) == 3 and records(centre).store.read_media(plates[0].row.crop_path)  # one per batch
    finally:
        edge.stop()
        centre.stop()


def test_subscriptions_mode_pushes_only_what_the_upper_asked_for(tmp_path: Path, models_dir: Path,
                                                                vtest_video: Path) -> None:
    port = free_port()
    centre = platform(tmp_path / "centre", models_dir, {"server": {"enabled": True, "server_id": CENTRE_ID,
                      "devices": [{"device_id": EDGE_ID, "password": PASSWORD}]}})  # fmt: skip
    centre.start()
    edge_port = free_port()
    # The edge's own server takes the centre's Subscribes; its client delivers what they ask for.
    edge = platform(tmp_path / "edge", models_dir, {
        "server": {"enabled": True, "server_id": EDGE_ID, "devices": [{"device_id": CENTRE_ID, "password": "c-pw"}]},
        "client": {"enabled": True, "url": f"http://127.0.0.1:{port}", "device_id": EDGE_ID, "password": PASSWORD,
                   "mode": "subscriptions", "retry_min_s": 0.2, "retry_max_s": 1.0}})  # fmt: skip
    edge.start()
    try:
        with serve_on(centre, port) as curl, serve_on(edge, edge_port) as eurl:
            upper = httpx.Client(base_url=eurl, auth=httpx.DigestAuth(CENTRE_ID, "c-pw"))
            sub = {"SubscribeID": "340200000000012024010203040500001", "Title": "vehicles", "SubscribeDetail": "13",
                   "ResourceURI": EDGE_ID, "ApplicantName": "centre", "ApplicantOrg": "psb",
                   "BeginTime": "20200101000000", "EndTime": "20991231235959",
                   "ReceiveAddr": f"{curl}/VIID/SubscribeNotifications", "OperateType": 0}  # fmt: skip
            r = upper.post("/VIID/Subscribes", json=messages.subscribe_body([sub]))
            assert [a["StatusCode"] for a in messages.statuses(r.json())] == [0], r.text
            assert upper.get("/VIID/Subscribes").json()["SubscribeListObject"]["SubscribeObject"][0][
                "SubscribeID"] == sub["SubscribeID"]  # fmt: skip
            records(edge).add_rows(make_rows(records(edge), frames(vtest_video, 8)))
            _wait(lambda: _count(centre) == 2)
            time.sleep(1.0)
            got = records(centre).store.query(limit=100)
            assert sorted(r.type for r in got) == ["motor_vehicle", "motor_vehicle"]
            client = edge.get(Viid).client
            assert client is not None and client.spool.count() == 0
    finally:
        edge.stop()
        centre.stop()


def test_spool_table_is_in_the_schema(tmp_path: Path, models_dir: Path) -> None:
    p = platform(tmp_path, models_dir, {})
    from sqlalchemy import inspect

    assert {"viid_spool", "viid_received", "viid_subscriptions"} <= set(inspect(p.engine).get_table_names())
    assert SpoolRow.__tablename__ == "viid_spool"
    assert p.find(Viid) is None  # off by default
