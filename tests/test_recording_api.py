"""Playback, clip and live routes against a real platform recording an H.264 file (remux path)."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from pathlib import Path

import av
import httpx
import numpy as np
import pytest
from fastapi.testclient import TestClient

from anfang.config.models import AppConfig
from anfang.core.detections import Detections
from anfang.events.model import Event
from anfang.platform import Platform
from anfang.recording.component import Recording
from anfang.sources.file import FILE_EPOCH
from tests.api_auth import api_client, authenticate
from tests.live_server import serve
from tests.test_recording import h264_video  # noqa: F401  (session fixture)


class NoDetector:
    name = "none"

    def detect(self, image: np.ndarray) -> Detections:
        return Detections.empty()


@pytest.fixture(scope="module")
def recorded(h264_video: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:  # noqa: F811
    """A platform that has recorded the whole 20 s file (5 s segments) and keeps its last frame."""
    data = tmp_path_factory.mktemp("api")
    cfg = AppConfig.model_validate({
        "data_dir": str(data / "data"),
        "detector": {"type": "hog"},
        "cameras": [{
            "id": "cam", "detect_fps": 2,
            "source": {"type": "file", "path": str(h264_video), "realtime": False},
            "zones": [{"name": "lawn", "points": [[0, 0], [100, 0], [100, 100]]}],
            "recording": {"mode": "continuous", "segment_s": 5, "pre_roll_s": 2, "post_roll_s": 2, "min_free_gb": 0},
        }],
    })
    platform = Platform(cfg, detector=NoDetector())
    platform.start()
    deadline = time.monotonic() + 120
    while platform.camera_status()["cam"]["state"] != "stopped":  # end of file
        assert time.monotonic() < deadline, "the file camera did not finish"
        time.sleep(0.1)
    yield platform
    platform.stop()


@pytest.fixture
def client(recorded: Platform) -> Iterator[TestClient]:
    with api_client(recorded) as c:
        yield c


def frame_times(body: bytes) -> list[float]:
    with av.open(io.BytesIO(body)) as c:
        return [f.time for f in c.decode(video=0)]


def test_listing_and_timeline(client: TestClient) -> None:
    r = client.get("/api/recordings/cam")
    assert r.status_code == 200
    body = r.json()
    assert body["mode"] == "continuous" and body["paused"] is False
    segs = body["segments"]
    assert len(segs) >= 3 and segs[0]["start"] == pytest.approx(FILE_EPOCH)
    assert body["timeline"] == [[segs[0]["start"], segs[-1]["end"]]]
    one = client.get(segs[1]["url"])
    assert one.status_code == 200 and one.headers["content-type"] == "video/mp4"
    assert len(frame_times(one.content)) == segs[1]["frames"]
    later = client.get("/api/recordings/cam", params={"since": segs[1]["end"] - 0.01}).json()["segments"]
    assert [s["start"] for s in later] == [s["start"] for s in segs[1:]]  # overlapping ones count
    assert client.get("/api/recordings/ghost").status_code == 404


def test_play_range(client: TestClient) -> None:
    r = client.get("/api/recordings/cam/play.mp4", params={"start": FILE_EPOCH + 2.0, "end": FILE_EPOCH + 8.0})
    assert r.status_code == 200 and r.headers["content-type"] == "video/mp4"
    times = frame_times(r.content)
    assert len(times) == 60 and times[0] == pytest.approx(0.0)  # crosses the 5 s segment boundary
    assert client.get("/api/recordings/cam/play.mp4", params={"start": 1.0, "end": 2.0}).status_code == 404
    assert client.get("/api/recordings/cam/play.mp4", params={"start": 5.0, "end": 2.0}).status_code == 422


def test_event_clip(client: TestClient, recorded: Platform) -> None:
    event = Event(camera_id="cam", rule="r", type="intrusion", start_time=FILE_EPOCH + 7.0, end_time=FILE_EPOCH + 7.5)
    recorded.sink(event)
    r = client.get(f"/api/events/{event.id}/clip.mp4")
    assert r.status_code == 200
    times = frame_times(r.content)
    assert len(times) == 45  # 5.0 .. 9.4: start - pre_roll .. end + post_roll, at 10 fps
    assert client.get("/api/events/nope/clip.mp4").status_code == 404


def test_overlay_json(client: TestClient) -> None:
    r = client.get("/api/cameras/cam/overlay")
    assert r.status_code == 200
    o = r.json()
    assert (o["width"], o["height"]) == (768, 576) and o["timestamp"] > FILE_EPOCH + 19
    assert o["zones"] == [{"name": "lawn", "points": [[0, 0], [100, 0], [100, 100]]}] and o["boxes"] == []
    assert client.get("/api/cameras/ghost/overlay").status_code == 404


def test_mjpeg_stream_over_real_server(recorded: Platform) -> None:
    with serve(recorded) as base_url, httpx.Client(base_url=base_url, timeout=10) as http:
        authenticate(http, recorded)
        with http.stream("GET", "/api/cameras/cam/live.mjpg", params={"overlay": 1, "fps": 10}) as r:
            assert r.status_code == 200
            assert r.headers["content-type"].startswith("multipart/x-mixed-replace")
            buf = b""
            for chunk in r.iter_bytes():
                buf += chunk
                if buf.count(b"\xff\xd9") >= 1:
                    break
        assert buf.startswith(b"--frame\r\nContent-Type: image/jpeg") and b"\xff\xd8" in buf


def test_tampered_segment_refused(client: TestClient, recorded: Platform) -> None:
    """Issue 15.1: a segment with one flipped byte is refused (409) for download and export; others play."""
    segs = client.get("/api/recordings/cam").json()["segments"]
    seg = recorded.get(Recording).service.index.get("cam", segs[-1]["start_ms"])
    assert seg is not None
    path = recorded.data_dir / "recordings" / seg.path
    assert path.with_name(path.name + ".sig.json").is_file()  # signed at close
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    assert client.get(segs[-1]["url"]).status_code == 409
    r = client.get("/api/recordings/cam/play.mp4", params={"start": segs[-1]["start"], "end": segs[-1]["end"]})
    assert r.status_code == 409
    assert client.get(segs[0]["url"]).status_code == 200  # untouched segment still plays
    rows, _ = recorded.events.query(type="evidence_tampered", limit=100)
    assert rows  # the system alarm was raised
    from tests.security.test_evidence_at_rest import run
    assert run(["evidence", "verify", "--data-dir", str(recorded.data_dir)]) == 1
    from anfang.security.component import Security
    checked, tampered = recorded.get(Security).check_evidence()  # the background check covers segments too
    assert tampered >= 1 and checked >= len(segs)
