"""RTSP source against a real RTSP server (GStreamer's gst-rtsp-server) that dies and comes back."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from anfang.config.models import RtspSourceConfig
from anfang.core.frame import Frame
from anfang.sources.base import create_source
from anfang.sources.rtsp import RtspSource, socket_timeout_option

SYSTEM_PYTHON = "/usr/bin/python3"
SERVER = Path(__file__).with_name("rtsp_server.py")
WAIT_S = 30.0  # generous upper bounds for waits; tests never assert on durations


def _server_available() -> str | None:
    if not Path(SYSTEM_PYTHON).exists():
        return "Debian's /usr/bin/python3 is missing"
    probe = subprocess.run(
        [SYSTEM_PYTHON, "-c", "import gi; gi.require_version('GstRtspServer', '1.0')"],
        capture_output=True,
        text=True,
    )
    if probe.returncode != 0:
        hint = "make test installs them: scripts/ensure-system-packages"
        return f"GStreamer RTSP server bindings missing ({hint}): {probe.stderr[-200:]}"
    if shutil.which("ffmpeg") is None:
        return "ffmpeg missing"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RtspServer:
    """The test server process; ``start``/``kill`` can be repeated to simulate a camera reboot."""

    def __init__(self, port: int, clip: Path) -> None:
        self.port, self.clip = port, clip
        self.proc: subprocess.Popen[str] | None = None

    @property
    def url(self) -> str:
        return f"rtsp://127.0.0.1:{self.port}/cam"

    def start(self) -> None:
        deadline = time.monotonic() + WAIT_S
        while True:  # the port may linger briefly after a kill
            self.proc = subprocess.Popen(
                [SYSTEM_PYTHON, str(SERVER), str(self.port), str(self.clip)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            assert self.proc.stdout is not None
            if self.proc.stdout.readline().strip() == "READY":
                return
            self.proc.wait()
            if time.monotonic() > deadline:
                raise RuntimeError(f"RTSP server did not start: {self.proc.stderr.read() if self.proc.stderr else ''}")
            time.sleep(0.2)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture(scope="module")
def h264_clip(vtest_video: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    reason = _server_available()
    if reason:
        pytest.fail(reason)
    clip = tmp_path_factory.mktemp("rtsp") / "vtest.mp4"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-i", str(vtest_video), "-t", "40", "-c:v", "libx264", "-preset", "ultrafast",
         "-g", "10", "-bf", "0", "-pix_fmt", "yuv420p", str(clip)],
        check=True,
    )
    return clip


@pytest.fixture()
def server(h264_clip: Path) -> Iterator[RtspServer]:
    srv = RtspServer(_free_port(), h264_clip)
    srv.start()
    yield srv
    srv.kill()


def _wait_until(cond: object, what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not cond():  # type: ignore[operator]
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_timeout_option_matches_ffmpeg() -> None:
    assert socket_timeout_option() in {"timeout", "stimeout"}


@pytest.mark.parametrize("transport", ["tcp", "udp"])
def test_reads_frames(server: RtspServer, transport: str) -> None:
    cfg = RtspSourceConfig(url=server.url, transport=transport, timeout_s=2)
    with create_source("door", cfg) as src:
        frames = [src.read() for _ in range(5)]
        assert src.state == "online" and src.fps == pytest.approx(10.0)
    assert all(f is not None and f.image.shape == (576, 768, 3) for f in frames)


def test_reconnects_after_server_restart(server: RtspServer) -> None:
    cfg = RtspSourceConfig(url=server.url, timeout_s=1, reconnect_initial_s=0.2, reconnect_max_s=1.0)
    src = create_source("yard", cfg)
    assert isinstance(src, RtspSource)
    frames: list[Frame] = []
    errors: list[BaseException] = []

    def reader() -> None:
        try:
            while (frame := src.read()) is not None:
                frames.append(frame)
        except BaseException as exc:  # noqa: BLE001 - the test asserts nothing escapes read()
            errors.append(exc)

    src.open()
    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    try:
        _wait_until(lambda: len(frames) >= 10, "first frames")
        server.kill()
        _wait_until(lambda: src.state == "offline", "the source to notice the server is gone")
        assert src.last_error and "127.0.0.1" in src.last_error
        time.sleep(1.5)  # a few failed reconnects with back-off while the server is down
        failures = src.failures
        assert failures >= 2
        before = len(frames)
        server.start()
        _wait_until(lambda: len(frames) >= before + 10, "frames after the server came back")
        assert src.state == "online"
        assert src.connects >= 2
        seqs = [f.seq for f in frames]
        assert seqs == list(range(len(frames)))  # numbering continues across the reconnect
        assert all(b.timestamp >= a.timestamp for a, b in zip(frames, frames[1:], strict=False))
    finally:
        src.interrupt()
        thread.join(WAIT_S)
        src.close()
    assert not thread.is_alive()
    assert errors == []


def test_unreachable_camera_stays_offline_without_raising() -> None:
    port = _free_port()  # nothing listens here
    cfg = RtspSourceConfig(url=f"rtsp://user:secret@127.0.0.1:{port}/cam", timeout_s=1, reconnect_initial_s=0.1,
                           reconnect_max_s=0.2)
    src = create_source("attic", cfg)
    src.open()
    assert src.state == "offline"
    assert src.last_error is not None and str(port) in src.last_error and "secret" not in src.last_error
    stopper = threading.Timer(1.0, src.interrupt)
    stopper.start()
    assert src.read() is None  # returns only because it was interrupted
    assert src.failures >= 3
    src.close()


def test_recovers_within_seconds_of_the_camera_return_but_backs_off_while_dead(server: RtspServer) -> None:
    """Default back-off (1 s doubling to 30 s): after 8 s down the next full open would be ~8 s away; the TCP
    probe notices the port again and opens at once. While dead, only the back-off's few full opens happen."""
    src = create_source("gate", RtspSourceConfig(url=server.url, timeout_s=2))
    assert isinstance(src, RtspSource)
    frames: list[Frame] = []
    src.open()
    thread = threading.Thread(target=lambda: [frames.append(f) for f in iter(src.read, None)], daemon=True)
    thread.start()
    try:
        _wait_until(lambda: len(frames) >= 5, "first frames")
        server.kill()
        _wait_until(lambda: src.state == "offline", "the source to notice the server is gone")
        opens = src.opens
        time.sleep(8.0)
        assert src.opens - opens <= 5  # 1 + 2 + 4 s of back-off: full opens are still spaced out
        before = len(frames)
        server.start()
        back = time.monotonic()
        _wait_until(lambda: len(frames) > before, "a frame after the server came back")
        recovery = time.monotonic() - back
        assert recovery < 5.0, f"recovered {recovery:.1f} s after the camera returned"
    finally:
        src.interrupt()
        thread.join(WAIT_S)
        src.close()


class _NoDetector:
    name = "none"

    def detect(self, image: object) -> object:
        from anfang.vision.base import Detections

        return Detections.empty()


def test_fps_in_is_the_stream_rate_right_after_a_reconnect(server: RtspServer) -> None:
    """The burst of buffered frames after a reconnect is not the camera's rate: fps_in stays near 10."""
    from anfang.config import parse_config
    from anfang.pipeline.camera import CameraPipeline

    cam = parse_config(
        {"cameras": [{"id": "lane", "source": {"type": "rtsp", "url": server.url, "timeout_s": 2}}]}
    ).cameras[0]
    pipeline = CameraPipeline(cam, _NoDetector(), lambda e: None)  # type: ignore[arg-type]
    pipeline.start()
    try:
        _wait_until(lambda: pipeline.frames_in >= 20, "first frames")
        server.kill()
        _wait_until(lambda: pipeline.status().state == "offline", "the camera to go offline")
        time.sleep(2.0)
        before = pipeline.frames_in
        server.start()
        _wait_until(lambda: pipeline.frames_in > before, "frames after the reconnect")
        readings = []
        for _ in range(30):  # the first 3 s after the reconnect
            readings.append(pipeline.status().fps_in)
            time.sleep(0.1)
        assert max(readings) <= 12.0, readings
    finally:
        pipeline.stop()
