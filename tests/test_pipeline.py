"""Camera pipelines end to end on the real demo video with the HOG detector (no model pack needed)."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import numpy as np
import pytest

from anfang.config.models import CameraConfig
from anfang.events.model import Event
from anfang.pipeline.camera import CameraPipeline
from anfang.pipeline.manager import PipelineManager
from anfang.sources.base import create_source
from anfang.video.snapshot import annotate
from anfang.vision.hog import HogDetector

WAIT_S = 60.0
# The campus walkway/plaza of vtest.avi, where people walk all the time.
WALKWAY = [[0, 150], [768, 150], [768, 576], [0, 576]]


def _camera(cam_id: str, source: dict, **extra: object) -> CameraConfig:
    return CameraConfig.model_validate(
        {
            "id": cam_id,
            "source": source,
            "detect_fps": 5,
            "zones": [{"name": "walkway", "points": WALKWAY}],
            "rules": [{"name": "walkway_intrusion", "type": "intrusion", "zone": "walkway", "classes": ["person"]}],
            **extra,
        }
    )


def _wait_until(cond: object, what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not cond():  # type: ignore[operator]
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.1)


def test_process_raises_intrusion_events_with_jpegs(vtest_video: Path) -> None:
    cam = _camera("campus", {"type": "file", "path": str(vtest_video), "realtime": False})
    events: list[Event] = []
    pipeline = CameraPipeline(cam, HogDetector(), events.append)
    shown = []
    with create_source(cam.id, cam.source) as src:
        for frame in src:
            dets, raised = pipeline.process(frame)
            shown.append(len(dets))
            assert all(e in events for e in raised)
            if frame.seq >= 40 and events:
                break
    status = pipeline.status()
    assert status.frames_in == len(shown)
    assert status.detect_calls <= len(shown) // 2 + 1  # 10 fps video, detection at 5 fps
    assert status.detect_calls >= 5 and status.events == len(events) >= 1
    event = events[0]
    assert event.camera_id == "campus" and event.type == "intrusion" and event.rule == "walkway_intrusion"
    assert event.snapshot is not None and event.snapshot[:2] == b"\xff\xd8"
    assert event.crop is not None and event.crop[:2] == b"\xff\xd8"
    assert len(event.crop) < len(event.snapshot)
    latest = pipeline.latest()
    assert latest is not None and latest[0].seq == len(shown) - 1
    assert isinstance(pipeline.rule_stats(), dict)
    overlay = annotate(latest[0].image, latest[1], cam.zones, cam.lines)
    assert overlay.shape == latest[0].image.shape and not np.array_equal(overlay, latest[0].image)


def test_motion_gate_skips_detector_on_a_still_scene(vtest_video: Path) -> None:
    cam = _camera("still", {"type": "file", "path": str(vtest_video), "realtime": False}, motion={"hold_s": 0.5})
    pipeline = CameraPipeline(cam, HogDetector(), lambda e: None)
    with create_source(cam.id, cam.source) as src:
        frame = src.read()
    assert frame is not None
    for i in range(30):  # 3 s of the same picture at 10 fps
        frame.timestamp = frame.pts = 1000.0 + i / 10
        frame.seq = i
        pipeline.process(frame)
    # detection due 15 times; the gate lets through the first check and the 0.5 s hold only
    assert 1 <= pipeline.detect_calls <= 4
    assert pipeline.still_skips >= 11


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_manager_isolates_broken_cameras(vtest_video: Path, tmp_path: Path) -> None:
    not_video = tmp_path / "door.mp4"
    not_video.write_bytes(b"definitely not a video\n" * 50)
    good = _camera("good", {"type": "file", "path": str(vtest_video), "loop": True}, detect_fps=2)
    broken_file = _camera("broken-file", {"type": "file", "path": str(not_video)})
    dead_rtsp = _camera(
        "dead-rtsp",
        {"type": "rtsp", "url": f"rtsp://127.0.0.1:{_free_port()}/cam", "timeout_s": 1, "reconnect_initial_s": 0.2},
    )
    events: list[Event] = []
    manager = PipelineManager(HogDetector(), events.append)
    manager.start([good, broken_file, dead_rtsp])
    try:
        _wait_until(lambda: manager.status()["good"].frames_in >= 20 and events, "the good camera's events")
        status = manager.status()
        assert status["good"].state == "online" and status["good"].detect_calls >= 1
        assert status["broken-file"].state == "error"
        assert "not a video" in (status["broken-file"].last_error or "")
        assert status["dead-rtsp"].state == "offline"
        assert "127.0.0.1" in (status["dead-rtsp"].last_error or "")
        assert {e.camera_id for e in events} == {"good"}
        assert manager.latest("good") is not None and manager.latest("broken-file") is None
        assert status["good"].to_dict()["camera_id"] == "good"

        with pytest.raises(ValueError):
            manager.add(good)
        with pytest.raises(KeyError):
            manager.update(_camera("nobody", {"type": "file", "path": str(vtest_video)}))
        manager.remove("broken-file")
        with pytest.raises(KeyError):
            manager.remove("broken-file")
        assert {c.id for c in manager.cameras()} == {"good", "dead-rtsp"}

        before = manager.status()["dead-rtsp"].frames_in
        renamed = good.model_copy(update={"name": "Campus"})
        manager.update(renamed)
        assert manager.status()["good"].name == "Campus"
        _wait_until(lambda: manager.status()["good"].frames_in >= 5, "the restarted camera's frames")
        assert manager.status()["dead-rtsp"].frames_in == before
    finally:
        manager.stop()
    assert all(s.state == "stopped" for s in manager.status().values())


def test_manager_survives_a_camera_that_cannot_be_built(vtest_video: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import anfang.pipeline.manager as manager_mod

    real = manager_mod.CameraPipeline

    def build(camera: CameraConfig, *args: object, **kwargs: object) -> CameraPipeline:
        if camera.id == "bad":  # a construction fault (e.g. a rule engine bug) cannot be provoked by config alone
            raise RuntimeError("rule engine exploded")
        return real(camera, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(manager_mod, "CameraPipeline", build)
    manager = PipelineManager(HogDetector(), lambda e: None)
    src = {"type": "file", "path": str(vtest_video), "realtime": False}
    manager.start([_camera("bad", src), _camera("fine", src, enabled=False), _camera("ok", src, detect_fps=1)])
    try:
        status = manager.status()
        assert status["bad"].state == "error" and "rule engine exploded" in (status["bad"].last_error or "")
        assert status["fine"].state == "stopped"
        _wait_until(lambda: manager.status()["ok"].frames_in > 0, "the healthy camera's frames")
    finally:
        manager.stop()
