"""The ``wrong_way`` rule on real tracks: MOTChallenge ground truth of TUD-Campus (people walking both ways).

In TUD-Campus (640x480, 25 fps, 71 frames) track 2 walks right to left for 48 frames; tracks 1, 3, 4, 5,
7 and 8 walk left to right (1 and 8 for under a second), track 6 is on screen for 9 frames only.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from anfang.analytics import RuleEngine
from anfang.config import ConfigError, parse_config
from anfang.config.models import CameraConfig
from anfang.core.detections import Detections
from anfang.events.model import Event

FPS = 25.0
T0 = 1_704_067_200.0
IMAGE = [[0, 0], [640, 0], [640, 480], [0, 480]]
RIGHT, LEFT = [[0, 300], [100, 300]], [[100, 300], [0, 300]]


@pytest.fixture(scope="module")
def gt(shared_data: Path) -> np.ndarray:
    return np.loadtxt(shared_data / "mot15" / "TUD-Campus" / "gt" / "gt.txt", delimiter=",")


def run(gt: np.ndarray, zone: list, **rule: object) -> list[Event]:
    cam = CameraConfig.model_validate(
        {
            "id": "campus",
            "source": {"type": "file", "path": "x.mp4"},
            "zones": [{"name": "walkway", "points": zone}],
            "rules": [{"name": "one_way", "type": "wrong_way", "zone": "walkway", **rule}],
        }
    )
    engine = RuleEngine(cam)
    events: list[Event] = []
    for f in range(1, int(gt[:, 0].max()) + 1):
        rows = gt[gt[:, 0] == f]
        xyxy = np.c_[rows[:, 2], rows[:, 3], rows[:, 2] + rows[:, 4], rows[:, 3] + rows[:, 5]].astype(np.float32)
        dets = Detections(
            xyxy, np.ones(len(rows), np.float32), np.zeros(len(rows), np.int32), rows[:, 1].astype(np.int64)
        )
        events.extend(engine.update(T0 + (f - 1) / FPS, dets))
    return events


def test_fires_for_the_one_walking_against_the_arrow(gt: np.ndarray) -> None:
    events = run(gt, IMAGE, arrow=RIGHT)
    assert [e.track_id for e in events] == [2]
    ev = events[0]
    assert ev.type == "wrong_way" and ev.rule == "one_way" and ev.object_class == "person"
    a = ev.attributes
    assert a["zone"] == "walkway" and a["angle_deg"] > 160 and a["allowed_direction"] == [1.0, 0.0]
    assert a["moved_px"][0] < -10 and a["speed_px_s"] > 20 and a["against_s"] >= 1.0
    assert a["explanation"].startswith("moving at ") and "to the allowed direction" in a["explanation"]
    assert ev.start_time - T0 >= 1.0  # held for min_seconds before raising


def test_the_other_way_round_and_min_seconds(gt: np.ndarray) -> None:
    assert sorted(e.track_id for e in run(gt, IMAGE, arrow=LEFT)) == [3, 4, 5, 7]  # 1 s: 1, 6, 8 too short
    assert sorted(e.track_id for e in run(gt, IMAGE, arrow=LEFT, min_seconds=0.5)) == [1, 3, 4, 5, 7, 8]
    assert run(gt, IMAGE, arrow=LEFT, min_seconds=5.0) == []


def test_non_fires(gt: np.ndarray) -> None:
    # A zone on the right of the image, where track 2 never walks.
    assert run(gt, [[420, 0], [640, 0], [640, 480], [420, 480]], arrow=RIGHT) == []
    # A vertical arrow: walking across it (about 90°) is not against it.
    assert run(gt, IMAGE, arrow=[[300, 0], [300, 100]]) == []
    # Another class: people are not watched.
    assert run(gt, IMAGE, arrow=RIGHT, classes=["car"]) == []
    # A lenient threshold: nothing walks more than 179° off the arrow for a second.
    assert run(gt, IMAGE, arrow=RIGHT, max_angle_deg=179.5) == []


def test_config_errors() -> None:
    cam = {"id": "c", "source": {"type": "file", "path": "x.mp4"}, "zones": [{"name": "z", "points": IMAGE}]}
    rule = {"name": "r", "type": "wrong_way", "zone": "z", "arrow": [[1, 1], [1, 1]]}
    with pytest.raises(ConfigError, match=r"site\.yaml: cameras\.0\.rules\.0\.wrong_way\.arrow: .*must differ"):
        parse_config({"cameras": [{**cam, "rules": [rule]}]}, "site.yaml")
    with pytest.raises(ConfigError, match="zone 'nowhere', which is not defined"):
        parse_config({"cameras": [{**cam, "rules": [{**rule, "arrow": RIGHT, "zone": "nowhere"}]}]}, "site.yaml")
