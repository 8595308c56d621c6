"""API tests against the real app: real SQLite in tmp_path, TestClient, and real uvicorn for the websocket."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
from fastapi import HTTPException
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketDenialResponse
from websockets.sync.client import connect

from anfang.api.app import create_app
from anfang.api.deps import current_user
from anfang.config.models import AppConfig
from anfang.events.model import Event
from anfang.platform import Platform
from anfang.vision.hog import HogDetector
from tests.api_auth import api_client, authenticate
from tests.live_server import serve

MISSING_VIDEO = "/nonexistent/anfang-test/never.mp4"


def file_camera(cam_id: str, path: str = MISSING_VIDEO, **extra) -> dict:
    return {"id": cam_id, "source": {"type": "file", "path": path}, **extra}


def app_config(tmp_path: Path, cameras: list[dict] | None = None, store_url: str | None = None) -> AppConfig:
    return AppConfig.model_validate(
        {
            "data_dir": str(tmp_path / "data"),
            "detector": {"type": "hog"},
            "cameras": cameras or [],
            "store": {"url": store_url},
        }
    )


def jpeg(value: int) -> bytes:
    ok, buf = cv2.imencode(".jpg", np.full((24, 32, 3), value, np.uint8))
    assert ok
    return buf.tobytes()


@pytest.fixture
def platform(tmp_path: Path, store_url: str | None) -> Iterator[Platform]:
    p = Platform(app_config(tmp_path, store_url=store_url), detector=HogDetector())
    p.start()
    yield p
    p.stop()


@pytest.fixture
def client(platform: Platform) -> Iterator[TestClient]:
    with api_client(platform) as c:
        yield c


def test_health_needs_no_user(platform: Platform) -> None:
    app = create_app(platform)

    def deny() -> None:
        raise HTTPException(401, "login required")

    app.dependency_overrides[current_user] = deny
    with TestClient(app) as c:
        r = c.get("/api/health")
        assert r.status_code == 200 and r.json()["status"] == "ok" and r.json()["running"] is True
        # Every other route goes through the one dependency.
        for path in ("/api/cameras", "/api/cameras/x", "/api/events", "/api/events/x", "/api/stats"):
            assert c.get(path).status_code == 401, path
        assert c.post("/api/cameras", json=file_camera("a")).status_code == 401
        with pytest.raises(WebSocketDenialResponse):
            c.websocket_connect("/api/ws/events").__enter__()


def test_events_filters_pagination_and_images(platform: Platform, client: TestClient) -> None:
    t0 = 1_700_000_000.0
    events = [
        Event(
            camera_id="cam1" if i % 2 else "cam2",
            rule="door",
            type="intrusion" if i < 8 else "line_crossing",
            object_class="person" if i % 3 else "car",
            start_time=t0 + i,
            box=(1.0, 2.0, 30.0, 40.0),
            score=0.9,
            attributes={"n": i},
            snapshot=jpeg(i * 10),
        )
        for i in range(12)
    ]
    for e in events:
        platform.sink(e)

    page = client.get("/api/events", params={"limit": 5}).json()
    assert page["total"] == 12 and page["limit"] == 5 and page["offset"] == 0
    assert [i["start_time"] for i in page["items"]] == [t0 + i for i in range(11, 6, -1)]
    last = client.get("/api/events", params={"limit": 5, "offset": 10}).json()
    assert [i["start_time"] for i in last["items"]] == [t0 + 1, t0]

    only = client.get("/api/events", params={"camera_id": "cam1", "type": "intrusion"}).json()
    assert only["total"] == 4 and {i["camera_id"] for i in only["items"]} == {"cam1"}
    cars = client.get("/api/events", params={"object_class": "car", "since": t0 + 3, "until": t0 + 9}).json()
    assert sorted(i["start_time"] for i in cars["items"]) == [t0 + 3, t0 + 6]

    one = client.get(f"/api/events/{events[4].id}").json()
    assert one["box"] == [1.0, 2.0, 30.0, 40.0] and one["attributes"] == {"n": 4}
    assert one["has_snapshot"] is True and one["has_crop"] is False and one["acknowledged"] is False

    snap = client.get(f"/api/events/{events[4].id}/snapshot.jpg")
    assert snap.status_code == 200 and snap.headers["content-type"] == "image/jpeg"
    assert snap.content == events[4].snapshot
    assert client.get(f"/api/events/{events[4].id}/crop.jpg").status_code == 404
    assert client.get("/api/events/nope").status_code == 404
    assert client.get("/api/events/nope/snapshot.jpg").status_code == 404
    assert client.get("/api/events", params={"limit": 0}).status_code == 422


def test_camera_changes_survive_restart(tmp_path: Path) -> None:
    cfg = app_config(tmp_path, [file_camera("filecam"), file_camera("keep", name="Keep")])
    p = Platform(cfg, detector=HogDetector())
    p.start()
    try:
        with api_client(p) as c:
            r = c.post("/api/cameras", json=file_camera("api1", name="first"))
            assert r.status_code == 201, r.text
            assert r.json()["origin"] == "api" and r.headers["location"] == "/api/cameras/api1"
            assert c.post("/api/cameras", json=file_camera("api1")).status_code == 409
            assert c.post("/api/cameras", json=file_camera("keep")).status_code == 409

            r = c.put("/api/cameras/api1", json=file_camera("api1", name="second", detect_fps=2))
            assert r.status_code == 200 and r.json()["config"]["detect_fps"] == 2
            assert c.put("/api/cameras/api1", json=file_camera("other")).status_code == 422
            assert c.delete("/api/cameras/filecam").status_code == 204
            assert c.get("/api/cameras/filecam").status_code == 404

            listed = {cam["id"]: cam for cam in c.get("/api/cameras").json()}
            assert set(listed) == {"keep", "api1"}
            assert listed["keep"]["origin"] == "config" and listed["keep"]["status"]["camera_id"] == "keep"
            assert {cam.id for cam in p.manager.cameras()} == {"keep", "api1"}  # applied live
    finally:
        p.stop()

    p2 = Platform(cfg, detector=HogDetector())
    p2.start()
    try:
        with api_client(p2) as c:
            listed = {cam["id"]: cam for cam in c.get("/api/cameras").json()}
            assert set(listed) == {"keep", "api1"}
            assert listed["api1"]["name"] == "second" and listed["api1"]["config"]["detect_fps"] == 2
            assert c.get("/api/cameras/api1").json()["origin"] == "api"
    finally:
        p2.stop()


def test_invalid_camera_names_the_field(client: TestClient) -> None:
    r = client.post("/api/cameras", json={"id": "x", "source": {"type": "rtsp", "url": "http://cam"}})
    assert r.status_code == 422
    body = r.json()
    assert [d["field"] for d in body["detail"]] == ["source.rtsp.url"]
    assert "source.rtsp.url" in body["message"] and "rtsp://" in body["message"]

    r = client.post("/api/cameras", json=file_camera("x", detect_fps=-1, colour="red"))
    fields = {d["field"] for d in r.json()["detail"]}
    assert r.status_code == 422 and fields == {"detect_fps", "colour"}

    rule = {"type": "intrusion", "name": "r", "zone": "nowhere"}
    r = client.post("/api/cameras", json=file_camera("x", rules=[rule]))
    assert r.status_code == 422 and "nowhere" in r.json()["message"]
    assert client.get("/api/cameras").json() == []


def test_unknown_camera_is_404(client: TestClient) -> None:
    assert client.get("/api/cameras/ghost").status_code == 404
    assert client.put("/api/cameras/ghost", json=file_camera("ghost")).status_code == 404
    assert client.delete("/api/cameras/ghost").status_code == 404
    assert client.get("/api/cameras/ghost/frame.jpg").status_code == 404


def test_frame_before_first_frame_is_503(platform: Platform, client: TestClient) -> None:
    assert client.post("/api/cameras", json=file_camera("dark")).status_code == 201
    assert client.get("/api/cameras/dark/frame.jpg").status_code == 503


def test_stats_and_openapi(platform: Platform, client: TestClient) -> None:
    now = time.time()
    for cls in ("person", "person", "car"):
        platform.sink(Event(camera_id="cam1", rule="r", type="intrusion", object_class=cls, start_time=now - 60))
    platform.sink(Event(camera_id="cam1", rule="r", type="intrusion", object_class="car", start_time=now - 3 * 86400))
    stats = client.get("/api/stats").json()
    counts = {(h["camera_id"], h["object_class"]): h["count"] for h in stats["events_per_hour"]}
    assert counts == {("cam1", "person"): 2, ("cam1", "car"): 1}

    schema = client.get("/openapi.json").json()
    for path in (
        "/api/health",
        "/api/cameras",
        "/api/cameras/{camera_id}",
        "/api/cameras/{camera_id}/frame.jpg",
        "/api/events",
        "/api/events/{event_id}",
        "/api/events/{event_id}/snapshot.jpg",
        "/api/stats",
    ):
        assert path in schema["paths"], path
    assert {"EventPage", "EventOut", "CameraOut", "CameraConfig", "StatsOut"} <= set(schema["components"]["schemas"])
    assert client.get("/docs").status_code == 200


def test_purge_via_platform(platform: Platform) -> None:
    old = Event(camera_id="c", rule="r", type="intrusion", start_time=time.time() - 60 * 86400, snapshot=jpeg(1))
    platform.sink(old)
    path = platform.events.media_path(old.snapshot_path)
    assert path is not None and path.is_file()
    assert platform.purge_expired() == 1
    assert not path.exists() and platform.events.get(old.id) is None


def test_websocket_receives_published_event(platform: Platform) -> None:
    with serve(platform) as base_url:
        headers: dict[str, str] = {}
        authenticate(headers, platform)
        ws_url = base_url.replace("http", "ws", 1) + "/api/ws/events"
        with connect(ws_url, open_timeout=10, additional_headers=headers) as ws:
            event = Event(camera_id="cam1", rule="fence", type="line_crossing", start_time=1.0, attributes={"d": "in"})
            threading.Thread(target=platform.sink, args=(event,)).start()  # as a camera thread would
            msg = json.loads(ws.recv(timeout=10))
            assert msg == event.to_dict()
            assert msg["attributes"] == {"d": "in"}
    assert platform.bus.subscriber_count == 0


@pytest.mark.slow
def test_real_file_camera_end_to_end(platform: Platform, client: TestClient, vtest_video: Path) -> None:
    """vtest.avi through HOG, the tracker and an intrusion rule, added live through the API."""
    camera = file_camera(
        "campus",
        str(vtest_video),
        name="Campus",
        detect_fps=2,
        zones=[{"name": "all", "points": [[0, 0], [768, 0], [768, 576], [0, 576]]}],
        lines=[{"name": "mid", "a": [0, 288], "b": [768, 288]}],
        rules=[
            {"type": "intrusion", "name": "walkers", "zone": "all", "classes": ["person"]},
            {"type": "counting", "name": "passers", "line": "mid"},
        ],
    )
    camera["source"].update(realtime=False, loop=True)
    assert client.post("/api/cameras", json=camera).status_code == 201

    deadline = time.monotonic() + 240  # a generous cap on a shared machine, not a timing assertion
    page: dict = {"total": 0}
    while page["total"] == 0:
        assert time.monotonic() < deadline, f"no event; status {client.get('/api/cameras/campus').json()}"
        time.sleep(0.2)
        page = client.get("/api/events", params={"camera_id": "campus", "type": "intrusion"}).json()
    event = next(e for e in page["items"] if e["type"] == "intrusion")
    assert event["type"] == "intrusion" and event["object_class"] == "person" and event["rule"] == "walkers"
    snap = client.get(f"/api/events/{event['id']}/snapshot.jpg")
    assert snap.status_code == 200 and cv2.imdecode(np.frombuffer(snap.content, np.uint8), 1) is not None

    for annotated in ("false", "true"):
        frame = client.get("/api/cameras/campus/frame.jpg", params={"annotated": annotated})
        assert frame.status_code == 200 and frame.headers["content-type"] == "image/jpeg"
        assert cv2.imdecode(np.frombuffer(frame.content, np.uint8), 1).shape == (576, 768, 3)

    status = client.get("/api/cameras/campus").json()["status"]
    assert status["frames_in"] > 0 and status["detect_calls"] > 0
    stats = client.get("/api/stats").json()
    assert stats["cameras"]["campus"]["events"] >= 1
    rules = stats["rules"]["campus"]
    assert set(rules["lines"]["passers"]) >= {"in", "out"} and "all" in rules["zones"]
    assert client.delete("/api/cameras/campus").status_code == 204
    assert platform.manager.cameras() == []


def test_rejected_camera_change_is_rolled_back(
    platform: Platform, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pipeline that refuses a config (a fault real configs cannot trigger today) leaves no stored trace."""
    real_update = platform.manager.update
    calls: list[str] = []

    def refuse(camera) -> None:
        calls.append(camera.name or "")
        if camera.name == "bad":
            raise RuntimeError("rule engine says no")
        real_update(camera)

    monkeypatch.setattr(platform.manager, "add", lambda camera: refuse(camera))
    r = client.post("/api/cameras", json=file_camera("c1", name="bad"))
    assert r.status_code == 422 and "rule engine says no" in r.json()["detail"]
    assert platform.camera_store.load() == ([], set())
    monkeypatch.undo()

    assert client.post("/api/cameras", json=file_camera("c1", name="good")).status_code == 201
    monkeypatch.setattr(platform.manager, "update", refuse)
    assert client.put("/api/cameras/c1", json=file_camera("c1", name="bad")).status_code == 422
    assert calls[-1] == "good"  # the old config was started again
    stored, _ = platform.camera_store.load()
    assert [c.name for c in stored] == ["good"]
    assert client.get("/api/cameras/c1").json()["name"] == "good"
