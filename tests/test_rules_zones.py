"""Intrusion, loitering, crowd, schedules, class filters and occupancy, table-driven."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from anfang.analytics import RuleEngine
from anfang.analytics.base import schedule_active
from anfang.config.models import CameraConfig, Schedule
from anfang.core.detections import Detections

T0 = dt.datetime(2024, 1, 1, 12, 0).timestamp()  # Monday noon, local time
ZONE = [(0, 0), (100, 0), (100, 100), (0, 100)]
IN, OUT = (50, 50), (200, 50)


def engine(rule: dict) -> RuleEngine:
    cfg = {"id": "cam", "source": {"type": "file", "path": "x.mp4"}, "zones": [{"name": "z", "points": ZONE}]}
    return RuleEngine(CameraConfig.model_validate({**cfg, "rules": [{"name": "r", "zone": "z", **rule}]}))


def frame(objs: list[tuple[int, tuple[float, float]]], cls: int = 0) -> Detections:
    """(track id, bottom-centre anchor) per object."""
    pts = np.array([p for _, p in objs], np.float64).reshape(-1, 2)
    xyxy = np.c_[pts[:, 0] - 5, pts[:, 1] - 20, pts[:, 0] + 5, pts[:, 1]]
    return Detections(xyxy, np.full(len(objs), 0.8), np.full(len(objs), cls), track_id=[t for t, _ in objs])


def run(rule: dict, steps: list[tuple[float, list]], cls: int = 0) -> list[list]:
    """Per step (seconds after T0, objects): the events' (track_id, attributes)."""
    eng = engine(rule)
    return [[(e.track_id, e.attributes) for e in eng.update(T0 + t, frame(objs, cls))] for t, objs in steps]


@pytest.mark.parametrize(
    "min_frames, path, expected_frames",
    [
        (1, [OUT, IN, IN, IN], [1]),
        (1, [IN, IN], [0]),  # first seen already inside counts as entering
        (1, [OUT, IN, OUT, IN, IN], [1, 3]),  # leave and re-enter: raised again
        (3, [OUT, IN, IN, OUT, IN, IN, IN, IN], [6]),  # debounce: needs 3 consecutive frames inside
        (2, [IN, OUT, IN, OUT], []),  # flickers in and out: never 2 in a row
        (1, [OUT, OUT], []),
    ],
)
def test_intrusion(min_frames: int, path: list, expected_frames: list[int]) -> None:
    got = run({"type": "intrusion", "min_frames": min_frames}, [(i, [(4, p)]) for i, p in enumerate(path)])
    assert [i for i, ev in enumerate(got) for _ in ev] == expected_frames
    assert all(ev == [(4, {"zone": "z"})] for ev in got if ev)


def test_intrusion_per_track_and_missing_frames_do_not_reset() -> None:
    got = run(
        {"type": "intrusion", "min_frames": 2},
        [(0, [(1, IN), (2, OUT)]), (1, [(2, IN)]), (2, [(1, IN), (2, IN)]), (3, [(1, IN), (2, IN)])],
    )
    assert got == [[], [], [(1, {"zone": "z"}), (2, {"zone": "z"})], []]


def dense(*spans: tuple[float, float, tuple | None]) -> list[tuple[float, tuple | None]]:
    """Observations every 0.5 s: (from, to inclusive, anchor or None = not detected)."""
    return [(t, p) for t0, t1, p in spans for t in np.arange(t0, t1 + 1e-9, 0.5).tolist()]


@pytest.mark.parametrize(
    "steps, expected",
    [
        # min_seconds = 5; expected (time of the event, dwell_s)
        (dense((0, 8, IN)), [(5.5, 5.5)]),  # dwell must *exceed* 5 s; one event per visit
        (dense((0, 4.9, IN), (5, 9, OUT)), []),
        (dense((0, 0.5, IN), (1.5, 7, IN)), [(5.5, 5.5)]),  # 1 s without a detection: same visit
        (dense((0, 1, IN), (1.5, 1.5, OUT), (2, 7, IN)), [(5.5, 5.5)]),  # steps out for a moment: same visit
        (dense((0, 0.5, IN), (1, 2.5, OUT), (3, 9, IN)), [(8.5, 5.5)]),  # out 2.5 s: a new visit starts at 3
        (dense((0, 6, IN), (20, 26, IN)), [(5.5, 5.5), (25.5, 5.5)]),  # came back later: a second event
    ],
)
def test_loitering(steps: list, expected: list) -> None:
    rule = {"type": "loitering", "min_seconds": 5}
    got = run(rule, [(t, [] if p is None else [(9, p)]) for t, p in steps])
    events = [(steps[i][0], a["dwell_s"]) for i, ev in enumerate(got) for _, a in ev]
    assert events == [(t, pytest.approx(d)) for t, d in expected]


@pytest.mark.parametrize(
    "counts, min_count, min_seconds, expected",
    [
        ([1, 2, 3, 3, 3], 3, 0, [(2, 3)]),
        ([3, 3, 3, 3, 3], 3, 2, [(2, 3)]),  # must hold for 2 s (one step = 1 s)
        ([3, 3, 2, 3, 3, 3], 3, 2, [(5, 3)]),  # drop below re-arms and restarts the clock
        ([4, 4, 1, 5], 3, 0, [(0, 4), (3, 5)]),  # one event per episode
        ([2, 2, 2], 3, 0, []),
    ],
)
def test_crowd(counts: list[int], min_count: int, min_seconds: float, expected: list) -> None:
    rule = {"type": "crowd", "min_count": min_count, "min_seconds": min_seconds}
    steps = [(t, [(k, (10 + 10 * k, 50)) for k in range(n)] + [(99, OUT)]) for t, n in enumerate(counts)]
    eng = engine(rule)
    got = []
    for t, objs in steps:
        for e in eng.update(T0 + t, frame(objs)):
            assert e.track_id is None and e.type == "crowd" and e.attributes["zone"] == "z"
            assert e.object_class == "person" and e.box is not None and e.box[2] <= 100  # union of the inside boxes
            got.append((t, e.attributes["count"]))
    assert got == expected


@pytest.mark.parametrize(
    "rule_type, extra", [("intrusion", {}), ("loitering", {"min_seconds": 0.5}), ("crowd", {"min_count": 1})]
)
@pytest.mark.parametrize("cls, classes, fires", [(0, ["person"], True), (2, ["person"], False), (2, ["car"], True)])
def test_classes_filter(rule_type: str, extra: dict, cls: int, classes: list[str], fires: bool) -> None:
    got = run({"type": rule_type, "classes": classes, **extra}, [(0, [(1, IN)]), (1, [(1, IN)])], cls=cls)
    assert any(got) == fires


def test_disabled_rule_is_silent() -> None:
    assert run({"type": "intrusion", "enabled": False}, [(0, [(1, IN)])]) == [[]]


def at(day: int, hhmm: str) -> float:
    """Epoch of local time on the given weekday (2024-01-01 is a Monday = 0)."""
    h, m = map(int, hhmm.split(":"))
    return dt.datetime(2024, 1, 1 + day, h, m).timestamp()


@pytest.mark.parametrize(
    "schedule, when, active",
    [
        ({}, at(6, "23:59"), True),
        ({"days": [0, 1, 2, 3, 4]}, at(5, "12:00"), False),  # Saturday
        ({"start": "08:00", "end": "18:00"}, at(0, "07:59"), False),
        ({"start": "08:00", "end": "18:00"}, at(0, "08:00"), True),
        ({"start": "08:00", "end": "18:00"}, at(0, "18:00"), False),
        ({"start": "18:00", "end": "07:00"}, at(0, "23:00"), True),  # wraps midnight
        ({"start": "18:00", "end": "07:00"}, at(1, "06:59"), True),
        ({"start": "18:00", "end": "07:00"}, at(1, "12:00"), False),
        ({"days": [4], "start": "18:00", "end": "07:00"}, at(5, "03:00"), True),  # Friday night, into Saturday
        ({"days": [4], "start": "18:00", "end": "07:00"}, at(4, "03:00"), False),  # Thursday's night is off
        ({"start": "22:00", "end": "24:00"}, at(2, "23:59"), True),
    ],
)
def test_schedule(schedule: dict, when: float, active: bool) -> None:
    assert schedule_active(Schedule(**schedule), when) == active


def test_schedule_arming_reports_someone_already_inside() -> None:
    eng = engine({"type": "intrusion", "schedule": {"start": "12:00", "end": "13:00"}})
    t = at(0, "11:58")
    assert eng.update(t, frame([(1, IN)])) == []  # not armed yet
    assert eng.update(t + 60, frame([(1, IN)])) == []
    assert [e.track_id for e in eng.update(t + 120, frame([(1, IN)]))] == [1]  # 12:00: armed, already inside
    assert eng.update(at(0, "13:00"), frame([(1, OUT)])) == []


def test_occupancy_stats_and_bounded_memory() -> None:
    eng = engine({"type": "intrusion"})
    objs = [(1, IN), (2, (60, 60)), (3, OUT)]
    dets = frame(objs)
    dets.class_id[1] = 2
    eng.update(T0, dets)
    assert eng.stats()["zones"] == {"z": {"person": 1, "car": 1}}
    for k in range(200):  # a stream of short-lived tracks
        eng.update(T0 + 1 + k, frame([(1000 + k, IN)]))
    assert len(eng.rules[0].tracks) <= 32  # state of tracks unseen for 30 s is forgotten
    eng.reset()
    assert eng.stats()["zones"] == {"z": {}}
