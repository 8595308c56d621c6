"""The ``http_jpeg`` source against a real local HTTP server serving real JPEG frames cut from vtest.avi."""

from __future__ import annotations

import hashlib
import re
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import cv2
import pytest

from anfang.config import ConfigError, parse_config
from anfang.config.models import CameraConfig
from anfang.events.model import Event
from anfang.pipeline.camera import CameraPipeline
from anfang.sources.base import create_source
from anfang.sources.http_jpeg import HttpJpegSource, HttpJpegSourceConfig
from anfang.vision.hog import HogDetector

WALKWAY = [[0, 150], [768, 150], [768, 576], [0, 576]]
REALM = "IP Camera"


class SnapshotServer:
    """Serves the next frame of a clip per GET of /snap.jpg; optional basic or digest auth; can fail on demand."""

    def __init__(self, frames: list[bytes], auth: str | None = None, user: str = "admin", password: str = "s3cret"):
        self.frames, self.auth, self.user, self.password = frames, auth, user, password
        self.served = 0
        self.hits = 0
        self.mode = "ok"  # "ok" | "html" | "503"
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: object) -> None:
                pass

            def do_GET(self) -> None:
                outer.hits += 1
                if not outer._authorised(self):
                    return
                if outer.mode == "503":
                    self.send_error(503, "busy")
                    return
                if outer.mode == "html":
                    body, kind = b"<html><body>login</body></html>", "text/html"
                else:
                    body, kind = outer.frames[outer.served % len(outer.frames)], "image/jpeg"
                    outer.served += 1
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/snap.jpg"

    def _authorised(self, req: BaseHTTPRequestHandler) -> bool:
        header = req.headers.get("Authorization", "")
        if self.auth is None:
            return True
        if self.auth == "basic":
            import base64

            if header == "Basic " + base64.b64encode(f"{self.user}:{self.password}".encode()).decode():
                return True
            challenge = f'Basic realm="{REALM}"'
        else:
            fields = (
                dict(re.findall(r'(\w+)="?([^",]+)"?', header[len("Digest ") :]))
                if header.startswith("Digest ")
                else {}
            )
            if fields:
                md5 = lambda s: hashlib.md5(s.encode()).hexdigest()  # noqa: E731 - RFC 2617 digest (as cameras do)
                ha1 = md5(f"{self.user}:{REALM}:{self.password}")
                ha2 = md5(f"GET:{fields.get('uri', '')}")
                expected = md5(f"{ha1}:{fields.get('nonce')}:{fields.get('nc')}:{fields.get('cnonce')}:auth:{ha2}")
                if fields.get("username") == self.user and fields.get("response") == expected:
                    return True
            challenge = (
                f'Digest realm="{REALM}", qop="auth", nonce="{hashlib.md5(str(time.time()).encode()).hexdigest()}"'
            )
        req.send_response(401)
        req.send_header("WWW-Authenticate", challenge)
        req.send_header("Content-Length", "0")
        req.end_headers()
        return False

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def jpeg_frames(vtest_video: Path) -> list[bytes]:
    """The first 60 frames of the demo video as JPEGs (what a camera's snapshot URL returns)."""
    cap = cv2.VideoCapture(str(vtest_video))
    frames = []
    while len(frames) < 60:
        ok, image = cap.read()
        assert ok, "vtest.avi ended early"
        ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 85])
        frames.append(buf.tobytes())
    cap.release()
    return frames


@pytest.fixture
def server(jpeg_frames: list[bytes]) -> Iterator[SnapshotServer]:
    srv = SnapshotServer(jpeg_frames)
    yield srv
    srv.close()


def _source(url: str, **extra: object) -> HttpJpegSource:
    cfg = parse_config({"cameras": [{"id": "snap", "source": {"type": "http_jpeg", "url": url, **extra}}]}).cameras[0]
    src = create_source("snap", cfg.source)
    assert isinstance(src, HttpJpegSource)
    return src


def test_config_is_in_the_source_union() -> None:
    cam = parse_config(
        {"cameras": [{"id": "c", "source": {"type": "http_jpeg", "url": "http://cam/snap.jpg"}}]}
    ).cameras[0]
    assert isinstance(cam.source, HttpJpegSourceConfig) and cam.source.interval_s == 1.0
    with pytest.raises(ConfigError, match=r"cameras\.0\.source\.http_jpeg\.url: .*http://"):
        parse_config({"cameras": [{"id": "c", "source": {"type": "http_jpeg", "url": "rtsp://cam/1"}}]}, "site.yaml")
    with pytest.raises(ConfigError, match="username and password go together"):
        parse_config({"cameras": [{"id": "c", "source": {"type": "http_jpeg", "url": "http://c/", "username": "a"}}]})


def test_pipeline_raises_intrusion_events_from_snapshots(server: SnapshotServer) -> None:
    cam = CameraConfig.model_validate(
        {
            "id": "snap",
            "source": {"type": "http_jpeg", "url": server.url, "interval_s": 0.02},
            "detect_fps": 5,
            "motion": {"enabled": False},
            "zones": [{"name": "walkway", "points": WALKWAY}],
            "rules": [{"name": "walkway_intrusion", "type": "intrusion", "zone": "walkway"}],
        }
    )
    events: list[Event] = []
    pipeline = CameraPipeline(cam, HogDetector(), events.append)
    src = create_source(cam.id, cam.source)
    shapes = set()
    with src:
        for frame in src:
            shapes.add(frame.image.shape)
            pipeline.process(frame)
            if (events and frame.seq >= 10) or frame.seq >= 150:
                break
        assert src.state == "online" and src.last_error is None
    assert shapes == {(576, 768, 3)}  # real decoded frames of the clip
    assert events and events[0].type == "intrusion" and events[0].object_class == "person"
    assert events[0].snapshot and events[0].snapshot[:2] == b"\xff\xd8"
    assert server.served == frame.seq + 1 == 11  # one GET per frame


def test_interval_paces_requests(server: SnapshotServer) -> None:
    with _source(server.url, interval_s=0.2) as src:
        t0 = time.monotonic()
        frames = [src.read() for _ in range(4)]
        elapsed = time.monotonic() - t0
    assert all(f is not None for f in frames)
    assert [f.seq for f in frames if f] == [0, 1, 2, 3]
    assert elapsed >= 0.55  # three intervals between four snapshots
    assert src.fps == pytest.approx(5.0)


@pytest.mark.parametrize("auth", ["basic", "digest"])
def test_auth(jpeg_frames: list[bytes], auth: str) -> None:
    srv = SnapshotServer(jpeg_frames, auth=auth)
    try:
        with _source(srv.url, auth=auth, username="admin", password="s3cret") as src:
            frame = src.read()
            assert frame is not None and src.state == "online"
        bad = _source(srv.url, auth=auth, username="admin", password="Xq9-guess", reconnect_initial_s=0.05)
        bad.open()
        threading.Timer(0.5, bad.interrupt).start()
        assert bad.read() is None
        assert bad.state == "offline"
        assert "HTTP 401" in (bad.last_error or "") and "password" in (bad.last_error or "")
        assert "Xq9-guess" not in (bad.last_error or "")
        bad.close()
    finally:
        srv.close()


def test_offline_with_backoff_then_online(server: SnapshotServer) -> None:
    src = _source(server.url, interval_s=0.05, reconnect_initial_s=0.05, reconnect_max_s=0.2)
    src.open()
    assert src.read() is not None and src.state == "online"
    server.mode = "503"
    threading.Timer(1.0, lambda: setattr(server, "mode", "ok")).start()
    hits_before = server.hits
    t0 = time.monotonic()
    frame = src.read()  # rides out the outage inside read()
    assert frame is not None and src.state == "online"
    assert time.monotonic() - t0 >= 0.9
    assert src.failures >= 3
    assert server.hits - hits_before < 15  # backed off (0.05, 0.1, 0.2, 0.2, ...), not hammering
    src.close()


def test_clear_errors(server: SnapshotServer) -> None:
    server.mode = "html"  # a login page instead of a picture
    src = _source(server.url, reconnect_initial_s=0.05)
    src.open()
    threading.Timer(0.3, src.interrupt).start()
    assert src.read() is None
    assert src.state == "offline" and "not a picture (Content-Type text/html" in (src.last_error or "")
    src.close()

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    src = _source(f"http://user:pw@127.0.0.1:{port}/snap.jpg", reconnect_initial_s=0.05)
    src.open()
    threading.Timer(0.3, src.interrupt).start()
    assert src.read() is None
    err = src.last_error or ""
    assert src.state == "offline" and f"cannot fetch http://127.0.0.1:{port}/snap.jpg" in err and "pw" not in err
    src.close()
    assert src.state == "closed"
