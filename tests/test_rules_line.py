"""Line crossing and counting, table-driven.

The first table ports the cases of supervision's ``test/detection/test_line_counter.py`` (LineZone) to our
single bottom-centre anchor. Mapping: supervision's ``in`` is our ``b_to_a`` and its ``out`` our ``a_to_b``
(``a_to_b`` = from the left of the directed line a→b to its right, as seen on screen with y down).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from anfang.analytics import RuleEngine
from anfang.config.models import CameraConfig
from anfang.core.detections import Detections

F, T = False, True
T0 = dt.datetime(2024, 1, 1, 12, 0).timestamp()  # a Monday noon, local time


def camera(a: tuple, b: tuple, rules: list[dict]) -> CameraConfig:
    return CameraConfig.model_validate(
        {
            "id": "cam",
            "source": {"type": "file", "path": "x.mp4"},
            "lines": [{"name": "l", "a": a, "b": b}],
            "rules": rules,
        }
    )


def frame(anchors: list[tuple], classes: list[int] | None = None, ids: list[int] | None = None) -> Detections:
    """Detections whose bottom-centre anchors are exactly ``anchors``; track ids 0..n-1 unless given."""
    pts = np.array(anchors, np.float64).reshape(-1, 2)
    xyxy = np.c_[pts[:, 0] - 1, pts[:, 1] - 2, pts[:, 0] + 1, pts[:, 1]]
    n = len(pts)
    return Detections(
        xyxy,
        np.full(n, 0.9),
        np.zeros(n) if classes is None else classes,
        track_id=np.arange(n) if ids is None else ids,
    )


def run(a: tuple, b: tuple, sequence: list[list[tuple]], direction: str = "both") -> list[list[str | None]]:
    """Per frame, per detection: the crossing direction reported, or None."""
    engine = RuleEngine(camera(a, b, [{"type": "line_crossing", "name": "x", "line": "l", "direction": direction}]))
    out = []
    for i, anchors in enumerate(sequence):
        events = engine.update(T0 + i, frame(anchors))
        by_track = {e.track_id: e.attributes["direction"] for e in events}
        out.append([by_track.get(k) for k in range(len(anchors))])
    return out


H = ((0, 0), (10, 0))  # horizontal line drawn left to right: a_to_b = moving down the image
SV_CASES = [
    # name, line, anchor sequence (one object), supervision in, supervision out
    ("vertical", ((0, 0), (0, 10)), [(5, 5), (-5, 5), (5, 5), (-5, 5)], [F, F, T, F], [F, T, F, T]),
    ("vertical reversed", ((0, 10), (0, 0)), [(5, 5), (-5, 5), (5, 5), (-5, 5)], [F, T, F, T], [F, F, T, F]),
    ("horizontal", H, [(5, 5), (5, -5), (5, 5), (5, -5)], [F, T, F, T], [F, F, T, F]),
    ("horizontal reversed", ((10, 0), (0, 0)), [(5, 5), (5, -5), (5, 5), (5, -5)], [F, F, T, F], [F, T, F, T]),
    ("diagonal", ((5, 0), (0, 5)), [(1, 1), (11, 11), (1, 1), (11, 11)], [F, T, F, T], [F, F, T, F]),
    ("beside, right", H, [(22, 5), (22, -5), (22, 5), (22, -5)], [F] * 4, [F] * 4),
    ("far away", H, [(5, 1e32), (5, -1e32), (5, 1e32), (5, -1e32)], [F, T, F, T], [F, F, T, F]),
    ("beside, left", H, [(-22, 5), (-22, -5), (-22, 5), (-22, -5)], [F] * 4, [F] * 4),
    ("move along below", H, [(-3, 5), (17, 5), (-3, 5), (17, 5)], [F] * 4, [F] * 4),
    ("move along above", H, [(-3, -5), (17, -5), (-3, -5), (17, -5)], [F] * 4, [F] * 4),
    ("into line partway", H, [(5, 5), (10, 5), (5, 5), (10, 5)], [F] * 4, [F] * 4),
    ("V from outside limits", H, [(-2, 7), (5, -5), (12, 7)], [F] * 3, [F] * 3),
    ("within limits to outside", H, [(5, 2), (12, -18)], [F] * 2, [F] * 2),
    ("outside limits to within", H, [(12, 22), (5, -2)], [F] * 2, [F] * 2),
    ("outside to outside, diagonal", H, [(-3, 6), (11, -5), (-3, 6), (11, -5)], [F] * 4, [F] * 4),
    ("scrape, left end", H, [(0, 5), (0, -5), (0, 5), (0, -5)], [F, T, F, T], [F, F, T, F]),
    ("scrape, right end", H, [(10, 5), (10, -5), (10, 5), (10, -5)], [F, T, F, T], [F, F, T, F]),
    ("lingers, settles", H, [(2, 4), (2, -6), (2, 4), (2, -6), (2, -6)], [F, T, F, T, F], [F, F, T, F, F]),
]


@pytest.mark.parametrize("name, line, anchors, sv_in, sv_out", SV_CASES, ids=[c[0] for c in SV_CASES])
def test_supervision_linezone_cases(name: str, line: tuple, anchors: list, sv_in: list, sv_out: list) -> None:
    got = [row[0] for row in run(line[0], line[1], [[p] for p in anchors])]
    want = ["b_to_a" if i else "a_to_b" if o else None for i, o in zip(sv_in, sv_out, strict=True)]
    assert got == want


def test_one_stays_one_crosses_both_cross() -> None:
    seq = [[(5, 5), (5, 5)], [(5, 5), (5, -5)], [(5, 5), (5, 5)], [(5, 5), (5, -5)]]
    assert run(*H, seq) == [[None, None], [None, "b_to_a"], [None, "a_to_b"], [None, "b_to_a"]]
    seq = [[(5, 5), (5, 5)], [(5, -5), (5, -5)], [(5, 5), (5, 5)]]
    assert run(*H, seq) == [[None, None], ["b_to_a", "b_to_a"], ["a_to_b", "a_to_b"]]


def test_disappearing_tracks_and_running_counts() -> None:
    """supervision: 'one stays, one crosses, one disappears immediately after crossing' (threshold 1)."""
    engine = RuleEngine(camera(*H, [{"type": "counting", "name": "c", "line": "l"}]))
    seq = [
        [(5, 5), (5, 5), (5, 5)],
        [(5, 5), (5, -5), (5, 5)],
        [(5, 5), (5, 5), (5, -5)],
        [(5, 5), (5, -5)],
        [(5, 5), (5, -5)],
    ]
    counts = []
    for i, anchors in enumerate(seq):
        assert engine.update(T0 + i, frame(anchors)) == []  # counting emits no events
        s = engine.stats()["lines"]["c"]
        counts.append((s["out"].get("person", 0), s["in"].get("person", 0)))  # (sv in, sv out)
    assert counts == [(0, 0), (1, 0), (2, 1), (3, 1), (3, 1)]


@pytest.mark.parametrize(
    "ys, expected",
    [
        ([5, 1, -1, 1, -1, 1, 5], []),  # jitters on the line, never leaves the dead band: nothing
        ([5, 1, -1, 1, -1, -5, -4, -6], ["b_to_a"]),  # jitters, then really crosses: once
        ([5, -5, -1, 1, -1, -5], ["b_to_a"]),  # crossed, then jitters back onto the line: still once
        ([5, -5, 5, -5], ["b_to_a", "a_to_b", "b_to_a"]),  # real back and forth counts each time
        ([-5, 0, 0, 0, 5], ["a_to_b"]),  # stands exactly on the line, then goes on
    ],
)
def test_jitter_on_the_line_counts_once(ys: list[float], expected: list[str]) -> None:
    got = [d for row in run(*H, [[(5, y)] for y in ys]) for d in row if d]
    assert got == expected


@pytest.mark.parametrize(
    "direction, expected",
    [("both", ["b_to_a", "a_to_b"]), ("a_to_b", ["a_to_b"]), ("b_to_a", ["b_to_a"])],
)
def test_direction_filter(direction: str, expected: list[str]) -> None:
    got = [d for row in run(*H, [[(5, 5)], [(5, -5)], [(5, 5)]], direction) for d in row if d]
    assert got == expected


def test_line_events_carry_the_detection() -> None:
    engine = RuleEngine(camera(*H, [{"type": "line_crossing", "name": "door", "line": "l", "classes": ["car"]}]))
    engine.update(T0, frame([(5, 5), (6, 5)], classes=[0, 2], ids=[7, 8]))
    events = engine.update(T0 + 1, frame([(5, -5), (6, -5)], classes=[0, 2], ids=[7, 8]))
    assert len(events) == 1  # the person is filtered out by classes
    e = events[0]
    assert (e.camera_id, e.rule, e.type, e.object_class, e.track_id) == ("cam", "door", "line_crossing", "car", 8)
    assert e.start_time == T0 + 1 and e.box == (5.0, -7.0, 7.0, -5.0) and e.score == pytest.approx(0.9)
    assert e.attributes == {"direction": "b_to_a", "line": "l"}
    assert engine.stats()["lines"]["door"] == {"type": "line_crossing", "line": "l", "in": {}, "out": {"car": 1}}


def test_counting_per_class_and_untracked_rows_ignored() -> None:
    engine = RuleEngine(camera(*H, [{"type": "counting", "name": "c", "line": "l", "classes": ["person", "car"]}]))
    engine.update(T0, frame([(1, -5), (2, -5), (3, -5), (4, -5)], classes=[0, 0, 2, 0], ids=[1, 2, 3, -1]))
    engine.update(T0 + 1, frame([(1, 5), (2, 5), (3, 5), (4, 5)], classes=[0, 0, 2, 0], ids=[1, 2, 3, -1]))
    engine.update(T0 + 2, frame([(1, -5)], classes=[0], ids=[1]))
    s = engine.stats()["lines"]["c"]
    assert s["in"] == {"person": 2, "car": 1} and s["out"] == {"person": 1}
    engine.reset()
    assert engine.stats()["lines"]["c"]["in"] == {}
