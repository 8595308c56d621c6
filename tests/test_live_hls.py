"""Live HLS: an H.264 camera's packets become a playlist and MPEG-TS segments that decode, no re-encoding."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np
import pytest
from fastapi.testclient import TestClient

from anfang.config.models import AppConfig
from anfang.core.detections import Detections
from anfang.platform import Platform
from anfang.recording.component import Recording
from tests.api_auth import api_client
from tests.test_recording import h264_video  # noqa: F401  (session fixture)


class NoDetector:
    name = "none"

    def detect(self, image: np.ndarray) -> Detections:
        return Detections.empty()


@pytest.fixture(scope="module")
def live(h264_video: Path, vtest_video: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:  # noqa: F811
    """Two real-time looping file cameras, recording off: H.264 (HLS) and MPEG-4 Part 2 (MJPEG only)."""
    data = tmp_path_factory.mktemp("hls")
    cfg = AppConfig.model_validate({
        "data_dir": str(data / "data"),
        "detector": {"type": "hog"},
        "cameras": [
            {"id": "h264", "detect_fps": 2, "source": {"type": "file", "path": str(h264_video), "loop": True}},
            {"id": "xvid", "detect_fps": 2, "source": {"type": "file", "path": str(vtest_video), "loop": True}},
        ],
    })
    platform = Platform(cfg, detector=NoDetector())
    platform.start()
    yield platform
    platform.stop()


@pytest.fixture
def client(live: Platform) -> Iterator[TestClient]:
    with api_client(live) as c:
        yield c


def wait_playlist(client: TestClient, camera: str, min_segments: int) -> str:
    """Poll like a player would (503 + Retry-After while the muxer starts); a deadline only for failing."""
    deadline = time.monotonic() + 60
    while True:
        r = client.get(f"/api/cameras/{camera}/hls/index.m3u8")
        if r.status_code == 200 and r.text.count("#EXTINF") >= min_segments:
            return r.text
        assert r.status_code in (200, 503), r.text
        if r.status_code == 503:
            assert r.headers["retry-after"] == "1"
        assert time.monotonic() < deadline, "no HLS playlist"
        time.sleep(0.2)


def test_h264_camera_serves_hls_that_decodes(client: TestClient) -> None:
    text = wait_playlist(client, "h264", 2)
    assert text.startswith("#EXTM3U") and "#EXT-X-TARGETDURATION:" in text and "#EXT-X-ENDLIST" not in text
    names = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert all(n.endswith(".ts") for n in names)
    decoded = 0
    for name in names[:2]:
        r = client.get(f"/api/cameras/h264/hls/{name}")
        assert r.status_code == 200 and r.headers["content-type"] == "video/mp2t"
        with av.open(io.BytesIO(r.content), format="mpegts") as c:
            stream = c.streams.video[0]
            assert stream.codec_context.name == "h264"  # copied, not re-encoded
            frames = list(c.decode(stream))
        assert frames and frames[0].key_frame  # every segment starts on a keyframe
        assert (frames[0].width, frames[0].height) == (768, 576)
        decoded += len(frames)
    assert decoded >= 10  # ≥ 1 s at 10 fps per segment


def test_hls_segment_names_are_checked(client: TestClient) -> None:
    wait_playlist(client, "h264", 1)
    assert client.get("/api/cameras/h264/hls/..%2Findex.m3u8").status_code == 404
    assert client.get("/api/cameras/h264/hls/seg99999.ts").status_code == 404
    assert client.get("/api/cameras/ghost/hls/index.m3u8").status_code == 404


def test_non_h264_camera_has_no_hls(client: TestClient, live: Platform) -> None:
    deadline = time.monotonic() + 60
    while live.get(Recording).service.recorders["xvid"].remux is None:  # until its first frame
        assert time.monotonic() < deadline, "xvid camera produced no frame"
        time.sleep(0.1)
    r = client.get("/api/cameras/xvid/hls/index.m3u8")
    assert r.status_code == 404 and "re-encoding" in r.json()["detail"]


def test_idle_muxer_stops_and_deletes_its_files(live: Platform, monkeypatch: pytest.MonkeyPatch) -> None:
    from anfang.recording import hls

    recorder = live.get(Recording).service.recorders["h264"]
    mux = recorder._hls
    assert mux is not None and not mux.closed and mux.directory.is_dir()
    monkeypatch.setattr(hls, "IDLE_S", -1.0)  # everything is idle now; the next batch stops it
    deadline = time.monotonic() + 30
    while not mux.closed:
        assert time.monotonic() < deadline, "idle HLS muxer kept running"
        time.sleep(0.1)
    assert not mux.directory.exists() and "hls" not in recorder.feed.subscribers
