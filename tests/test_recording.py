"""Recording on real video: gapless segments (encode and remux paths), event mode, retention, disk budget."""

from __future__ import annotations

import subprocess
from pathlib import Path

import av
import numpy as np
import pytest
from sqlalchemy import create_engine

from anfang.config import parse_config
from anfang.config.models import CameraConfig
from anfang.core.detections import Detections
from anfang.core.frame import Frame
from anfang.events.model import Event
from anfang.pipeline.camera import CameraPipeline
from anfang.recording.config import RecordingConfig
from anfang.recording.export import export_range
from anfang.recording.index import Segment, SegmentIndex, timeline
from anfang.recording.recorder import Recorder
from anfang.recording.retention import enforce_retention
from anfang.sources.base import create_source
from anfang.store.migrate import upgrade


class NoDetector:
    """Recording does not depend on what is detected; skipping detection keeps the tests fast."""

    name = "none"

    def detect(self, image: np.ndarray) -> Detections:
        return Detections.empty()


class Ticker:
    """An observer raising one event every ``every`` frames: proof the analytics keep going."""

    def __init__(self, every: int = 10) -> None:
        self.every, self.n = every, 0

    def on_frame(self, frame: Frame, tracked: Detections, detected: bool) -> list[Event] | None:
        self.n += 1
        if self.n % self.every:
            return None
        return [Event(camera_id=frame.camera_id, rule="tick", type="tick", start_time=frame.timestamp)]

    def close(self) -> None:
        return None


@pytest.fixture(scope="session")
def h264_video(vtest_video: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """20 s of vtest as H.264 (keyframe every second, no B-frames, like most IP cameras)."""
    out = tmp_path_factory.mktemp("h264") / "vtest.mp4"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-i", str(vtest_video), "-t", "20", "-c:v", "libx264", "-preset", "ultrafast",
         "-bf", "0", "-g", "10", "-pix_fmt", "yuv420p", str(out)],
        check=True,
    )
    return out


def index_in(tmp_path: Path) -> SegmentIndex:
    engine = create_engine(f"sqlite:///{tmp_path / 'rec.db'}")
    upgrade(engine)
    return SegmentIndex(engine)


def camera(path: Path, **recording: object) -> CameraConfig:
    rec = {"mode": "continuous", "segment_s": 5, "min_free_gb": 0, **recording}
    return parse_config(
        {"cameras": [{"id": "cam", "source": {"type": "file", "path": str(path), "realtime": False},
                      "recording": rec}]}
    ).cameras[0]


def record(cam: CameraConfig, root: Path, index: SegmentIndex, frames: int | None = None,
           extra: list | None = None, recorder: Recorder | None = None) -> tuple[Recorder, list[Event], list[Frame]]:
    """Drive a real pipeline over the file like its thread does, syncing with the writer so none is dropped."""
    recorder = recorder or Recorder(cam, root, index)
    sink: list[Event] = []
    pipeline = CameraPipeline(cam, NoDetector(), sink.append, observers=[recorder, *(extra or [])])
    source = create_source(cam.id, cam.source)
    recorder.attach_source(source)
    seen: list[Frame] = []
    with source:
        while frames is None or len(seen) < frames:
            frame = source.read()
            if frame is None:
                break
            pipeline.process(frame)
            seen.append(Frame(frame.camera_id, frame.seq, frame.pts, frame.timestamp, frame.image[:1, :1]))
            if len(seen) % 20 == 0:
                recorder.flush()
    pipeline.close_observers()
    return recorder, sink, seen


def probe(path: Path) -> tuple[str, float, float, int]:
    """(codec, first pts, end of last frame, frame count) of a segment file, in seconds from its start."""
    with av.open(str(path)) as c:
        s = c.streams.video[0]
        pkts = [p for p in c.demux(s) if p.pts is not None and p.size]
        first = float(min(p.pts for p in pkts) * s.time_base)
        last = max(pkts, key=lambda p: p.pts)
        end = float((last.pts + last.duration) * s.time_base)
        return s.codec_context.name, first, end, len(pkts)


def assert_gapless(segments: list[Segment], root: Path, fps: float) -> None:
    assert len(segments) >= 3
    for prev, seg in zip(segments, segments[1:], strict=False):
        assert seg.start == pytest.approx(prev.end, abs=1e-6), "index: no gap, no overlap"
    for seg in segments:
        codec, first, end, n = probe(root / seg.path)
        assert codec == "h264" and n == seg.frames
        assert first == pytest.approx(0.0, abs=1e-3)  # the file starts exactly at the indexed start
        assert seg.start + end == pytest.approx(seg.end, abs=1.0 / fps + 1e-3)
        assert seg.path.endswith(f"/{round(seg.start * 1000)}.mp4")


@pytest.mark.parametrize("kind", ["encode", "remux"])
def test_segments_cover_the_stream_without_gaps(kind: str, vtest_video: Path, h264_video: Path,
                                                tmp_path: Path) -> None:
    video = vtest_video if kind == "encode" else h264_video
    index, root = index_in(tmp_path), tmp_path / "rec"
    recorder, _, seen = record(camera(video), root, index, frames=160)
    assert recorder.remux is (kind == "remux")
    assert recorder.writer is not None and recorder.writer.dropped == 0
    segments = index.query("cam")
    assert_gapless(segments, root, fps=10.0)
    assert sum(s.frames for s in segments) == len(seen)
    assert segments[0].start == pytest.approx(seen[0].timestamp, abs=1e-3)
    assert segments[-1].end == pytest.approx(seen[-1].timestamp + 0.1, abs=1e-3)
    assert timeline(segments) == [[segments[0].start, segments[-1].end]]


def test_export_cuts_a_range_across_segments(h264_video: Path, tmp_path: Path) -> None:
    index, root = index_in(tmp_path), tmp_path / "rec"
    _, _, seen = record(camera(h264_video), root, index, frames=160)
    t0 = seen[0].timestamp
    start, end = t0 + 3.55, t0 + 11.0  # spans three 5 s segments, starts mid-GOP
    out = tmp_path / "clip.mp4"
    origin = export_range(index, root, "cam", start, end, out)
    assert origin == pytest.approx(t0 + 3.0, abs=1e-3)  # the keyframe before start
    with av.open(str(out)) as c:
        times = [origin + f.time for f in c.decode(video=0)]
    assert len(times) == 80  # 3.0 .. 10.9 at 10 fps, all decodable
    assert times[0] <= start < times[0] + 1.0 and times[-1] < end
    assert np.allclose(np.diff(times), 0.1, atol=1e-3)
    assert export_range(index, root, "cam", t0 + 100, t0 + 110, tmp_path / "none.mp4") is None


def test_events_mode_keeps_only_what_surrounds_events(h264_video: Path, tmp_path: Path) -> None:
    index, root = index_in(tmp_path), tmp_path / "rec"
    cam = camera(h264_video, mode="events", pre_roll_s=2, post_roll_s=2, segment_s=60)

    recorder = Recorder(cam, root, index)

    class Trigger(Ticker):
        def on_frame(self, frame: Frame, tracked: Detections, detected: bool) -> list[Event] | None:
            self.n += 1
            if self.n == 100:  # one event at t0 + 9.9 s, handed over as the platform's bus listener does
                recorder.on_event(Event(camera_id="cam", rule="r", type="intrusion", start_time=frame.timestamp))
            return None

    _, _, seen = record(cam, root, index, frames=200, extra=[Trigger()], recorder=recorder)
    t_event = seen[99].timestamp
    segments = index.query("cam")
    assert segments, "the event's surroundings were kept"
    covered = timeline(segments)
    assert any(a <= t_event - 2 and b >= t_event + 2 for a, b in covered)
    assert all(b > t_event - 2 and a < t_event + 2 + 2 for a, b in covered)  # nothing far from the event
    kept = {s.path for s in segments}
    on_disk = {str(p.relative_to(root)) for p in root.rglob("*.mp4")}
    assert on_disk == kept  # chunks nobody wanted were deleted


def fake_segments(index: SegmentIndex, root: Path, starts: list[float], size: int = 1000) -> None:
    for start in starts:
        rel = f"cam/day/{round(start * 1000)}.mp4"
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(b"\0" * size)
        index.add(Segment("cam", start, start + 60, rel, size, "h264", 600))


def test_retention_deletes_oldest_first_by_days_and_by_quota(tmp_path: Path) -> None:
    index, root = index_in(tmp_path), tmp_path / "rec"
    day = 86400.0
    now = 100 * day
    fake_segments(index, root, [now - 9 * day, now - 8 * day, now - 3 * day, now - 2 * day, now - day])
    freed = enforce_retention(index, root, "cam", RecordingConfig(retention_days=7), now=now)
    assert freed == 2000
    assert [s.start for s in index.query("cam")] == [now - 3 * day, now - 2 * day, now - day]
    quota = RecordingConfig(retention_days=7, max_disk_gb=2500 / 1024**3)
    assert enforce_retention(index, root, "cam", quota, now=now) == 1000
    assert [s.start for s in index.query("cam")] == [now - 2 * day, now - day]
    assert sorted(p.name for p in root.rglob("*.mp4")) == [f"{round((now - d) * 1000)}.mp4" for d in (2 * day, day)]


def test_quota_pauses_recording_but_not_analytics(h264_video: Path, tmp_path: Path) -> None:
    index, root = index_in(tmp_path), tmp_path / "rec"
    cam = camera(h264_video, max_disk_gb=30_000 / 1024**3)  # 30 kB: less than one segment
    ticker = Ticker(every=10)
    recorder, sink, seen = record(cam, root, index, frames=120, extra=[ticker])
    paused = [e for e in sink if e.type == "recording_paused"]
    assert len(paused) == 1 and "quota" in paused[0].attributes["reason"]
    assert paused[0].snapshot is not None  # emitted through the sink like any event
    ticks_after = [e for e in sink if e.type == "tick" and e.start_time > paused[0].start_time]
    assert len(ticks_after) >= 5  # the pipeline kept analysing
    assert recorder.writer is not None and recorder.writer.paused
    recorded = sum(s.frames for s in index.query("cam"))
    assert 0 < recorded < len(seen)
