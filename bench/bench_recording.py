"""Cost of recording to the analytics, and server-side live latency of MJPEG.

* **fps ratio**: the real CameraPipeline over the same file with recording off and on (continuous, 10 s
  segments), in the same run, unpaced (``realtime: false``), with a detector that does nothing — the
  worst case, since any real detector makes recording's share smaller. Goal: on ÷ off ≥ 0.95.
  Two paths: **remux** (an H.264 copy of vtest, packets copied) and **encode** (vtest.avi is MPEG-4 Part 2
  in AVI, so frames are encoded with libx264 ultrafast on the writer thread). Unpaced, the encoder may
  fall behind the pipeline; it then drops frames instead of slowing the pipeline (reported as ``dropped``).
* **MJPEG latency**: a realtime camera; the stream generator's parts are stamped with the frame timestamp;
  latency = time the part is produced − frame timestamp (what the server adds before the network).

Each path runs ``pairs`` alternating off/on runs; the ratio printed is the median of the pairs' ratios, and
``cam-thread ms/frame`` is the camera thread's own CPU time per frame (``time.thread_time``), which shows
what recording adds to the analytics thread independent of what the other tenants of the machine do.

Usage: ``.venv/bin/python bench/bench_recording.py [frames] [pairs]``
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from sqlalchemy import create_engine

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from anfang.config import parse_config  # noqa: E402
from anfang.core.detections import Detections  # noqa: E402
from anfang.pipeline.camera import CameraPipeline  # noqa: E402
from anfang.recording.index import SegmentIndex  # noqa: E402
from anfang.recording.recorder import Recorder  # noqa: E402
from anfang.sources.base import create_source  # noqa: E402
from anfang.store.migrate import upgrade  # noqa: E402
from anfang.video.demo_video import find_demo_video  # noqa: E402


class NoDetector:
    name = "none"

    def detect(self, image: np.ndarray) -> Detections:
        return Detections.empty()


def run(video: Path, record: bool, frames: int, work: Path) -> tuple[float, int, float]:
    """(pipeline fps, frames the writer dropped, camera-thread CPU ms per frame)."""
    cam = parse_config({"cameras": [{
        "id": "b", "source": {"type": "file", "path": str(video), "realtime": False},
        "recording": {"mode": "continuous" if record else "off", "segment_s": 10, "min_free_gb": 0},
    }]}).cameras[0]
    observers = []
    recorder = None
    if record:
        engine = create_engine(f"sqlite:///{work / f'{time.monotonic_ns()}.db'}")
        upgrade(engine)
        recorder = Recorder(cam, work / "rec", SegmentIndex(engine))
        observers.append(recorder)
    pipeline = CameraPipeline(cam, NoDetector(), lambda e: None, observers=observers)
    source = create_source(cam.id, cam.source)
    if recorder is not None:
        recorder.attach_source(source)
    n = 0
    with source:
        t0, c0 = time.perf_counter(), time.thread_time()
        while n < frames and (frame := source.read()) is not None:
            pipeline.process(frame)
            n += 1
        elapsed, cpu = time.perf_counter() - t0, time.thread_time() - c0
    pipeline.close_observers()
    dropped = recorder.writer.dropped if recorder is not None and recorder.writer is not None else 0
    return n / elapsed, dropped, cpu / max(n, 1) * 1000


def mjpeg_latency(video: Path, seconds: float = 5.0) -> list[float]:
    from anfang.api.routers.live import _mjpeg

    source = {"type": "file", "path": str(video), "loop": True}
    cam = parse_config({"cameras": [{"id": "m", "source": source}]}).cameras[0]
    pipeline = CameraPipeline(cam, NoDetector(), lambda e: None)
    pipeline.start()

    class P:  # the two Platform methods the stream uses
        def camera(self, _cid: str) -> object:
            return cam

        def latest(self, _cid: str) -> object:
            return pipeline.latest()

    async def sample() -> list[float]:
        out: list[float] = []
        end = time.monotonic() + seconds
        async for part in _mjpeg(P(), "m", True, 15.0):  # type: ignore[arg-type]
            ts = float(part.split(b"X-Timestamp: ", 1)[1].split(b"\r\n", 1)[0])
            out.append(time.time() - ts)
            if time.monotonic() > end:
                break
        return out

    try:
        while pipeline.latest() is None:
            time.sleep(0.05)
        return asyncio.run(sample())
    finally:
        pipeline.stop()


def main() -> None:
    frames = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    pairs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    vtest = find_demo_video()
    assert vtest is not None, "vtest.avi missing"
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        h264 = work / "vtest.mp4"
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(vtest), "-c:v", "libx264", "-preset", "ultrafast",
                        "-bf", "0", "-g", "10", str(h264)], check=True)
        print(f"{'path':8} {'off fps':>8} {'on fps':>8} {'on/off':>7} {'dropped':>8} {'cam ms/frame off→on':>20}")
        for name, video in (("remux", h264), ("encode", vtest)):
            run(video, False, 50, work)  # warm up decoder and caches
            # Alternate off/on pairs and take medians: on a shared machine one pair is mostly noise.
            offs, ons, cpu_off, cpu_on, dropped = [], [], [], [], 0
            for _ in range(pairs):
                off, _, c_off = run(video, False, frames, work)
                on, d, c_on = run(video, True, frames, work)
                offs.append(off), ons.append(on), cpu_off.append(c_off), cpu_on.append(c_on)
                dropped += d
            ratio = statistics.median(b / a for a, b in zip(offs, ons, strict=True))
            med = statistics.median
            print(f"{name:8} {med(offs):8.1f} {med(ons):8.1f} {ratio:7.3f} {dropped:8d} "
                  f"{med(cpu_off):12.2f} → {med(cpu_on):.2f}")
        lat = mjpeg_latency(vtest)
        print(f"mjpeg server-side latency over {len(lat)} parts: median {statistics.median(lat) * 1000:.0f} ms, "
              f"max {max(lat) * 1000:.0f} ms (bounded by 1/fps of the camera + 1/fps of the stream)")


if __name__ == "__main__":
    main()
