"""The ``stopped_vehicle`` rule: a parked car fires once; traffic, creeping, leaving and people do not."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from anfang.analytics import RuleEngine
from anfang.config.models import CameraConfig
from anfang.core.detections import Detections
from anfang.core.taxonomy import class_id
from anfang.events.model import Event

T0 = 1_704_067_200.0
ZONE = [[0, 0], [640, 0], [640, 480], [0, 480]]


def engine(**rule: object) -> RuleEngine:
    return RuleEngine(
        CameraConfig.model_validate(
            {
                "id": "road",
                "source": {"type": "file", "path": "x.mp4"},
                "zones": [{"name": "no_stopping", "points": [[0, 200], [640, 200], [640, 480], [0, 480]]}],
                "rules": [
                    {"name": "stop", "type": "stopped_vehicle", "zone": "no_stopping", "min_seconds": 10, **rule}
                ],
            }
        )
    )


def dets(objs: list[tuple[int, float, float]], cls: str = "car") -> Detections:
    """(track id, anchor x, anchor y) per object: 60 x 40 boxes standing on the anchor."""
    a = np.array([(x, y) for _, x, y in objs], np.float32).reshape(-1, 2)
    xyxy = np.c_[a[:, 0] - 30, a[:, 1] - 40, a[:, 0] + 30, a[:, 1]]
    n = len(objs)
    return Detections(
        xyxy, np.full(n, 0.9, np.float32), np.full(n, class_id(cls), np.int32), np.array([t for t, *_ in objs])
    )


def run(eng: RuleEngine, seconds: float, where: object, cls: str = "car", fps: float = 5.0) -> list[Event]:
    out: list[Event] = []
    rng = np.random.default_rng(0)
    for i in range(int(seconds * fps)):
        t = i / fps
        objs = where(t, rng)  # type: ignore[operator]
        out.extend(eng.update(T0 + t, dets(objs, cls)))
    return out


def test_parked_car_fires_once_with_explanation() -> None:
    # A car drives in, stops at (300, 350) with a few pixels of box jitter, stays 20 s.
    def where(t: float, rng: np.random.Generator) -> list:
        x = 300 if t >= 3 else 300 - (3 - t) * 60
        return [(7, x + rng.normal(0, 2), 350 + rng.normal(0, 2))]

    events = run(engine(), 23, where)
    assert len(events) == 1
    ev = events[0]
    assert ev.track_id == 7 and ev.type == "stopped_vehicle" and ev.object_class == "car"
    # Stopped at 3 s; the clock starts where the last approach step ended (up to one 15 px radius earlier/later).
    assert 13.0 <= ev.start_time - T0 <= 14.6
    assert ev.attributes["stopped_s"] >= 10 and ev.attributes["displacement_px"] < 15
    assert "stopped for 10 s in zone 'no_stopping'" in ev.attributes["explanation"]


def test_non_fires() -> None:
    # Slow traffic: 2 px per update keeps moving out of the 15 px radius.
    assert run(engine(), 30, lambda t, rng: [(1, 100 + t * 10, 300)]) == []
    # Parked outside the zone (above y = 200).
    assert run(engine(), 30, lambda t, rng: [(2, 300, 150)]) == []
    # A person standing still: not a vehicle.
    assert run(engine(), 30, lambda t, rng: [(3, 300, 300)], cls="person") == []
    # Leaves after 8 s and another car stops for 8 s: each too short.
    assert run(engine(), 16, lambda t, rng: [(4, 300, 300)] if t < 8 else [(5, 200, 300)]) == []


def test_real_people_never_stop(shared_data: Path) -> None:
    """People in TUD-Campus (ground truth) keep walking: no event even when people are watched."""
    gt = np.loadtxt(shared_data / "mot15" / "TUD-Campus" / "gt" / "gt.txt", delimiter=",")
    eng = engine(classes=["person"], min_seconds=1.0, max_displacement_px=20)
    events = []
    for f in range(1, int(gt[:, 0].max()) + 1):
        r = gt[gt[:, 0] == f]
        xyxy = np.c_[r[:, 2], r[:, 3], r[:, 2] + r[:, 4], r[:, 3] + r[:, 5]].astype(np.float32)
        d = Detections(xyxy, np.ones(len(r), np.float32), np.zeros(len(r), np.int32), r[:, 1].astype(np.int64))
        events.extend(eng.update(T0 + (f - 1) / 25.0, d))
    assert events == []
