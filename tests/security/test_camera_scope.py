"""Camera scope, masking and audit on the video routes: live view, overlay, recordings, clips, heatmap, devices.

A viewer granted cam1 must not reach cam2 by any path (404, as for an unknown camera; lists filtered); a user
without see_identities gets masked MJPEG and no unmaskable H.264 (HLS, recordings); views of video are audited.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import cv2
import httpx
import numpy as np
import pytest
from starlette.testclient import WebSocketDenialResponse

from anfang.api.deps import audit_once
from anfang.api.routers import devices, live
from anfang.config import parse_config
from anfang.platform import Platform
from anfang.recording.component import Recording
from anfang.security.component import Security
from anfang.vision.hog import HogDetector
from tests.live_server import serve
from tests.security.api_fixtures import add_event, client_as, make_platform


@pytest.fixture
def platform(tmp_path: Path, store_url: str | None) -> Iterator[Platform]:
    p = make_platform(tmp_path / "data", store_url)
    yield p
    p.stop()


def _entries(platform: Platform, action: str) -> list[Any]:
    return [e for e in platform.audit.entries(1, 1000) if e.action == action]


async def _one_part(*_args: object, **_kwargs: object) -> AsyncIterator[bytes]:
    yield b"--frame\r\n\r\n"


def test_viewer_granted_cam1_cannot_reach_cam2(platform: Platform, monkeypatch: pytest.MonkeyPatch) -> None:
    mine, other = add_event(platform, "cam1"), add_event(platform, "cam2")
    platform.users.create("v1", None, "viewer", cameras=["cam1"], see_identities=True)
    platform.users.create("o1", None, "operator", cameras=["cam1"], see_identities=True)
    monkeypatch.setattr(live, "_mjpeg", _one_part)  # a real stream never ends under TestClient
    with client_as(platform, "v1") as c:
        for path in (
            "/api/cameras/cam2/live.mjpg",
            "/api/cameras/cam2/overlay",
            "/api/cameras/cam2/heatmap.png",
            "/api/cameras/cam2/hls/index.m3u8",
            "/api/cameras/cam2/hls/seg0.ts",
            "/api/recordings/cam2",
            "/api/recordings/cam2/segments/0.mp4",
            "/api/recordings/cam2/play.mp4?start=1000&end=1010",
        ):
            r = c.get(path)
            assert r.status_code == 404 and "cam2" in r.json()["detail"], f"{path}: {r.status_code} {r.text[:120]}"
        # The same routes on the granted camera get past the scope check.
        assert c.get("/api/cameras/cam1/live.mjpg").status_code == 200
        assert c.get("/api/cameras/cam1/overlay").status_code == 503  # no frame yet, but not hidden
        assert c.get("/api/cameras/cam1/heatmap.png").status_code == 200
        assert c.get("/api/recordings/cam1").status_code == 200
        r = c.get(f"/api/events/{other.id}/clip.mp4")
        assert r.status_code == 404 and "not found" in r.json()["detail"]
        r = c.get(f"/api/events/{mine.id}/clip.mp4")
        assert r.status_code == 404 and "no recording covers" in r.json()["detail"]  # scope passed, nothing recorded
        assert c.get("/api/records", params={"camera_id": "cam2"}).json()["items"] == []
        assert c.get("/api/search/records", params={"camera_id": "cam2"}).json()["items"] == []
        token = c.headers.pop("Authorization").removeprefix("Bearer ")
        with pytest.raises(WebSocketDenialResponse) as denied:
            c.websocket_connect(f"/api/ws/overlay/cam2?token={token}").__enter__()
        assert denied.value.status_code == 404
        with c.websocket_connect(f"/api/ws/overlay/cam1?token={token}") as ws:
            ws.close()
    with client_as(platform, "o1") as c:
        assert c.post(f"/api/events/{other.id}/ack", json={}).status_code == 404
        assert c.post(f"/api/events/{mine.id}/ack", json={}).status_code == 200
    assert [e.target for e in _entries(platform, "live.view")] == ["cam1"]  # the refused view is not a view


D1, D2 = "34020000001320000001", "34020000001320000002"  # GB/T 28181 ids: 20 digits, type 132 (IPC)
C1, C2 = "34020000001310000001", "34020000001310000002"  # type 131: camera channels


class FakeGb:
    """Two registered devices, one channel each; records PTZ commands."""

    def __init__(self) -> None:
        self.moves: list[tuple[str, str, str]] = []

    def devices(self) -> list[dict[str, Any]]:
        return [
            {"device_id": d, "online": True, "channels": [{"channel_id": ch, "video": True}]}
            for d, ch in ((D1, C1), (D2, C2))
        ]

    def catalog(self, device_id: str) -> list[Any]:
        return []

    def ptz(self, device_id: str, channel_id: str, command: str, speed: int) -> None:
        self.moves.append((device_id, channel_id, command))


def test_devices_are_scoped_and_ptz_is_operator_work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cams = [
        {"id": cid, "source": {"type": "gb28181", "device_id": d, "channel_id": ch}}
        for cid, d, ch in (("gb1", D1, C1), ("gb2", D2, C2))
    ]
    p = Platform(parse_config({"data_dir": str(tmp_path / "d"), "cameras": cams}), detector=HogDetector())
    fake = FakeGb()
    monkeypatch.setattr(devices, "_service", lambda _platform: fake)
    try:
        p.users.create("v1", None, "viewer", cameras=["gb1"])
        p.users.create("o1", None, "operator", cameras=["gb1"])
        p.users.create("adm", None, "admin")
        stop = {"command": "stop"}
        with client_as(p, "v1") as c:
            listed = c.get("/api/devices").json()
            assert [(d["device_id"], [ch["channel_id"] for ch in d["channels"]]) for d in listed] == [(D1, [C1])]
            assert c.post(f"/api/devices/{D1}/channels/{C1}/ptz", json=stop).status_code == 403  # viewers watch only
            assert c.post(f"/api/devices/{D1}/catalog").status_code == 403
        with client_as(p, "o1") as c:
            assert c.post(f"/api/devices/{D2}/channels/{C2}/ptz", json=stop).status_code == 404
            assert c.post(f"/api/devices/{D1}/channels/{C2}/ptz", json=stop).status_code == 404  # wrong channel
            assert c.post(f"/api/devices/{D2}/catalog").status_code == 404
            assert c.post(f"/api/devices/{D1}/channels/{C1}/ptz", json={"command": "left"}).status_code == 202
            assert c.post(f"/api/devices/{D1}/catalog").status_code == 200
        with client_as(p, "adm") as c:
            assert len(c.get("/api/devices").json()) == 2
        assert fake.moves == [(D1, C1, "left")]
        ptz = _entries(p, "device.ptz")
        assert [(e.actor, e.target, e.detail["command"]) for e in ptz] == [("o1", f"{D1}/{C1}", "left")]
        assert [e.target for e in _entries(p, "device.catalog")] == [D1]
    finally:
        p.stop()


def test_recorded_video_needs_see_identities_and_is_audited(
    platform: Platform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    event = add_event(platform, "cam1")
    service = platform.get(Recording).service

    def fake_mp4(*_args: object) -> Path:
        path = tmp_path / f"clip-{time.monotonic_ns()}.mp4"
        path.write_bytes(b"\x00\x00\x00\x18ftypmp42")
        return path

    monkeypatch.setattr(service, "event_clip", fake_mp4)
    monkeypatch.setattr(service, "export", fake_mp4)
    monkeypatch.setattr(service, "hls_playlist", lambda _cam: "#EXTM3U\n")
    platform.users.create("blind", None, "viewer")
    platform.users.create("op", None, "operator", see_identities=True)
    with client_as(platform, "blind") as c:
        for path in (f"/api/events/{event.id}/clip.mp4", "/api/recordings/cam1/play.mp4?start=1000&end=1010",
                     "/api/cameras/cam1/hls/index.m3u8"):  # fmt: skip
            r = c.get(path)
            assert r.status_code == 403 and "see_identities" in r.json()["detail"], path
    with client_as(platform, "op") as c:
        assert c.get(f"/api/events/{event.id}/clip.mp4").content.endswith(b"ftypmp42")
        assert c.get("/api/recordings/cam1/play.mp4", params={"start": 1000, "end": 1010}).status_code == 200
        for _ in range(3):  # a player polls the playlist: one audit entry, not three
            assert c.get("/api/cameras/cam1/hls/index.m3u8").status_code == 200
    clip = _entries(platform, "evidence.view")
    assert [(e.actor, e.target, e.detail["kind"]) for e in clip] == [("op", event.id, "clip")]
    export = _entries(platform, "recording.export")
    assert [(e.actor, e.target, e.detail["start"], e.detail["end"]) for e in export] == [("op", "cam1", 1000, 1010)]
    views = _entries(platform, "live.view")
    assert [(e.actor, e.detail["format"]) for e in views] == [("op", "hls")]


def test_audit_once_renews_after_the_window(platform: Platform) -> None:
    """The de-duplication is per caller and target, and only for the window."""
    from types import SimpleNamespace

    from anfang.api.deps import Principal

    app = SimpleNamespace(state=SimpleNamespace(platform=platform))

    def conn(name: str) -> Any:
        return SimpleNamespace(
            app=app,
            client=None,
            state=SimpleNamespace(principal=Principal(name=name, token_id=f"t-{name}-{id(platform)}")),
        )

    a, b = conn("a"), conn("b")
    assert audit_once(a, "x.view", "cam1") and not audit_once(a, "x.view", "cam1")
    assert audit_once(b, "x.view", "cam1") and audit_once(a, "x.view", "cam2")
    assert audit_once(a, "x.view", "cam1", window_s=0.0)
    assert [(e.actor, e.target) for e in _entries(platform, "x.view")] == [
        ("a", "cam1"), ("b", "cam1"), ("a", "cam2"), ("a", "cam1")
    ]  # fmt: skip


# ---------------------------------------------------------------- masked MJPEG over a real server


@pytest.fixture(scope="module")
def face_camera(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    """A camera on a face video (HOG detector) that has played to its end and keeps its last frame."""
    clip = shared_data / "faces" / "face_recognition" / "short_hamilton_clip.mp4"
    cfg = parse_config({
        "data_dir": str(tmp_path_factory.mktemp("faces") / "data"),
        "cameras": [{"id": "faces", "detect_fps": 1, "source": {"type": "file", "path": str(clip), "realtime": False}}],
    })  # fmt: skip
    platform = Platform(cfg, detector=HogDetector())
    platform.start()
    deadline = time.monotonic() + 120
    while platform.camera_status()["faces"]["state"] != "stopped" or platform.latest("faces") is None:
        assert time.monotonic() < deadline, "the file camera did not finish"
        time.sleep(0.1)
    yield platform
    platform.stop()


def _first_jpeg(http: httpx.Client, path: str, params: dict[str, Any]) -> np.ndarray:
    with http.stream("GET", path, params=params) as r:
        assert r.status_code == 200, r.read()
        buf = b""
        for chunk in r.iter_bytes():
            buf += chunk
            if b"\xff\xd9" in buf:
                break
    start = buf.index(b"\xff\xd8")
    image = cv2.imdecode(np.frombuffer(buf[start : buf.index(b"\xff\xd9", start) + 2], np.uint8), cv2.IMREAD_COLOR)
    assert image is not None
    return image


def test_mjpeg_is_masked_without_see_identities(face_camera: Platform) -> None:
    face_camera.users.create("blind", None, "viewer")
    face_camera.users.create("sees", None, "viewer", see_identities=True)
    frames = {}
    with serve(face_camera) as base_url:
        for who in ("sees", "blind"):
            _, token = face_camera.users.issue(who, "session", "test")
            headers = {"Authorization": f"Bearer {token}"}
            with httpx.Client(base_url=base_url, headers=headers, timeout=20) as http:
                for overlay in (0, 1):
                    frames[who, overlay] = _first_jpeg(http, "/api/cameras/faces/live.mjpg", {"overlay": overlay})
    masker = face_camera.get(Security).masker
    assert len(masker.face_boxes(frames["sees", 0])) >= 1  # the frame does show faces to a user who may see them
    assert len(masker.face_boxes(frames["blind", 0])) == 0
    assert len(masker.face_boxes(frames["blind", 1])) == 0  # with boxes drawn over it, too
    views = [(e.actor, e.detail["masked"]) for e in _entries(face_camera, "live.view")]
    assert views == [("sees", False), ("sees", False), ("blind", True), ("blind", True)]  # one per stream
