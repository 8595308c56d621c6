"""Observers see every frame with its tracks, can raise events, and are closed when the camera stops."""

from __future__ import annotations

from pathlib import Path

from anfang.config import parse_config
from anfang.core.detections import Detections
from anfang.core.frame import Frame
from anfang.events.model import Event
from anfang.pipeline.camera import CameraPipeline
from anfang.sources.base import create_source
from anfang.vision.hog import HogDetector


class Counter:
    def __init__(self) -> None:
        self.frames = 0
        self.detected = 0
        self.closed = False

    def on_frame(self, frame: Frame, tracked: Detections, detected: bool) -> list[Event] | None:
        self.frames += 1
        self.detected += int(detected)
        if self.frames == 5:
            return [Event(camera_id=frame.camera_id, rule="observer", type="custom", start_time=frame.timestamp)]
        return None

    def close(self) -> None:
        self.closed = True


def test_observer_sees_frames_and_raises_events(vtest_video: Path) -> None:
    cam = parse_config(
        {
            "cameras": [
                {"id": "c", "detect_fps": 5, "source": {"type": "file", "path": str(vtest_video), "realtime": False}}
            ]
        }
    ).cameras[0]
    seen: list[Event] = []
    counter = Counter()
    pipeline = CameraPipeline(cam, HogDetector(), seen.append, observers=[counter])
    source = create_source(cam.id, cam.source)
    with source:
        for _ in range(20):
            frame = source.read()
            assert frame is not None
            pipeline.process(frame)
    assert counter.frames == 20
    assert 0 < counter.detected <= 10  # 10 fps video, 5 fps detection
    custom = [e for e in seen if e.type == "custom"]
    assert len(custom) == 1 and custom[0].snapshot is not None  # emitted like a rule event, with images
    pipeline.stop()
    assert counter.closed
