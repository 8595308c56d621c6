"""Motion gate on the real demo video and on a still picture."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from anfang.config.models import FileSourceConfig, MotionConfig
from anfang.pipeline.motion import MotionGate
from anfang.sources.base import create_source


def _frames(video: Path, n: int, step: int = 2) -> list[tuple[float, np.ndarray]]:
    out = []
    with create_source("c", FileSourceConfig(path=video, realtime=False)) as src:
        for frame in src:
            if frame.seq % step == 0:
                out.append((frame.timestamp, frame.image))
            if len(out) == n:
                break
    return out


def test_walking_people_are_motion(vtest_video: Path) -> None:
    gate = MotionGate(MotionConfig(hold_s=0))
    results = [gate.has_motion(image, ts) for ts, image in _frames(vtest_video, 60)]
    assert sum(results) >= 55  # people walk through the whole clip


def test_still_frame_stops_after_hold(vtest_video: Path) -> None:
    (_, image), = _frames(vtest_video, 1)
    rng = np.random.default_rng(0)
    gate = MotionGate(MotionConfig(hold_s=1.0))
    seen = []
    for i in range(15):
        noisy = np.clip(image.astype(np.int16) + rng.normal(0, 2.5, image.shape), 0, 255).astype(np.uint8)
        seen.append(gate.has_motion(noisy, 1000.0 + i * 0.2))  # sensor noise on a still scene
    assert seen[0]  # the first frame is always checked by the detector
    assert all(seen[:6])  # still "motion" during hold_s (t = 0 .. 1.0 s)
    assert not any(seen[6:])  # then the detector can rest


def test_motion_after_stillness_reopens_the_gate(vtest_video: Path) -> None:
    (_, still), (_, _), (_, _), (_, moved) = _frames(vtest_video, 4, step=5)
    gate = MotionGate(MotionConfig(hold_s=0.5))
    for i in range(5):
        gate.has_motion(still, float(i))
    assert not gate.has_motion(still, 5.0)
    assert gate.has_motion(moved, 5.2)


def test_disabled_gate_always_detects(vtest_video: Path) -> None:
    (_, image), = _frames(vtest_video, 1)
    gate = MotionGate(MotionConfig(enabled=False))
    assert all(gate.has_motion(image, float(i)) for i in range(10))
