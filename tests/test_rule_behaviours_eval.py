"""Behaviour rules scored against hand labels on real footage (tests/data/behaviours/labels.yaml).

The tracks are the default detector + ByteTrack on vtest.avi (PETS09-S2L1), saved by
``bench/bench_behaviours.py --write-tracks``: the numbers are end to end (detector misses included)
without running the detector in the suite. The floors asserted here are the measured ones in
docs/behaviours.md; a change that loses an event or adds a false alarm fails.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from anfang.analytics import RuleEngine
from anfang.config.models import CameraConfig
from anfang.core.detections import Detections
from anfang.events.model import Event

T0 = 1_704_067_200.0  # a Monday, 00:00 UTC (no schedule: always armed)
FPS = 10.0  # vtest.avi; the tracks hold every 2nd frame (5 fps analysed)
HOUR = 3600.0


@pytest.fixture(scope="module")
def labels(shared_data: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((shared_data / "behaviours" / "labels.yaml").read_text(encoding="utf-8"))
    return data["clips"]


@pytest.fixture(scope="module")
def tracks(shared_data: Path) -> list[tuple[float, Detections]]:
    a = np.loadtxt(shared_data / "behaviours" / "vtest_tracks.csv", delimiter=",", comments="#")
    return frames_of(a)


def frames_of(a: np.ndarray) -> list[tuple[float, Detections]]:
    out = []
    for f in range(0, 795, 2):
        r = a[a[:, 0] == f]
        dets = Detections(
            r[:, 2:6].astype(np.float32), r[:, 6].astype(np.float32), r[:, 7].astype(np.int32), r[:, 1].astype(np.int64)
        )
        out.append((f / FPS, dets))
    return out


def run(
    rule: dict[str, Any], zone: list[list[float]], frames: list[tuple[float, Detections]], loops: int = 1
) -> list[Event]:
    cam = CameraConfig.model_validate(
        {
            "id": "vtest",
            "source": {"type": "file", "path": "vtest.avi"},
            "zones": [{"name": "z", "points": zone}],
            "rules": [{"name": "r", "zone": "z", **rule}],
        }
    )
    engine = RuleEngine(cam)
    events: list[Event] = []
    duration = 795 / FPS
    for k in range(loops):
        for t, d in frames:
            ids = None if d.track_id is None else d.track_id + 100_000 * k  # a loop is new people
            events.extend(engine.update(T0 + k * duration + t, Detections(d.xyxy, d.confidence, d.class_id, ids)))
    return events


def score(events: list[Event], labelled: list[dict[str, float]]) -> tuple[int, int, int]:
    """(true positives, false alarms, missed labels): each label matched by at most one event."""
    free = list(labelled)
    tp = fa = 0
    for e in events:
        t = e.start_time - T0
        hit = next((lab for lab in free if lab["earliest"] <= t <= lab["latest"]), None)
        if hit is None:
            fa += 1
        else:
            free.remove(hit)
            tp += 1
    return tp, fa, len(free)


def test_absence_on_vtest_left_path(labels: dict[str, Any], tracks: list[tuple[float, Detections]]) -> None:
    clip = labels["vtest"]
    events = run({"type": "absence", "min_seconds": 10}, clip["zones"]["left_path"], tracks)
    tp, fa, missed = score(events, clip["events"]["absence"])
    assert (tp, fa, missed) == (2, 0, 0), [round(e.start_time - T0, 1) for e in events]  # precision 1, recall 1
    first = events[0].attributes
    assert first["empty_s"] >= 10 and first["explanation"].startswith("nobody in zone 'z' for 10 s")
    assert events[0].track_id is None and events[0].box == (0.0, 192.0, 192.0, 384.0)


def test_absence_never_fires_on_a_manned_zone(tracks: list[tuple[float, Detections]]) -> None:
    # The whole image is never empty in vtest: a post that is always manned, looped for an hour.
    whole = [[0, 0], [768, 0], [768, 576], [0, 576]]
    loops = int(HOUR / 79.5) + 1
    assert run({"type": "absence", "min_seconds": 5}, whole, tracks, loops=loops) == []


def test_crowd_gathering_no_false_alarm_per_camera_hour_on_vtest(tracks: list[tuple[float, Detections]]) -> None:
    """Walkers crossing (3–8 people all along) is not a gathering: 0 alarms in a looped camera-hour."""
    whole = [[0, 0], [768, 0], [768, 576], [0, 576]]
    loops = int(HOUR / 79.5) + 1
    assert run({"type": "crowd_gathering"}, whole, tracks, loops=loops) == []


def test_crowd_gathering_on_the_composite(
    labels: dict[str, Any], tracks: list[tuple[float, Detections]], shared_data: Path
) -> None:
    """Composite (labelled as such): vtest's tracks plus the same real tracks 20 s later, from t = 40 s."""
    a = np.loadtxt(shared_data / "behaviours" / "vtest_tracks.csv", delimiter=",", comments="#")
    shifted = a[(a[:, 0] >= 600)].copy()
    shifted[:, 0] -= 200  # frames 600.. shown again from frame 400 (t = 40 s)
    shifted[:, 1] += 50_000
    events = run({"type": "crowd_gathering"}, [[0, 0], [768, 0], [768, 576], [0, 576]], frames_of(np.r_[a, shifted]))
    tp, fa, missed = score(events, labels["vtest_plus_shifted"]["events"]["crowd_gathering"])
    assert (tp, fa, missed) == (1, 0, 0), [round(e.start_time - T0, 1) for e in events]
    at = events[0].attributes
    assert at["growth"] >= 5 and at["rate_per_min"] >= 6 and "grew from" in at["explanation"]
