"""The ``absence`` and ``crowd_gathering`` rules' state machines on real tracks (vtest.avi, see labels.yaml):
re-arming, detector blinks, schedules and config errors. Scores against the labels: test_rule_behaviours_eval.py."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from anfang import plugins
from anfang.config.models import CameraConfig

sys.path.insert(0, str(Path(__file__).parent))
from test_rule_behaviours_eval import T0, frames_of, run  # noqa: E402

LEFT = [[0, 192], [192, 192], [192, 384], [0, 384]]
WHOLE = [[0, 0], [768, 0], [768, 576], [0, 576]]


@pytest.fixture(scope="module")
def rows(shared_data: Path) -> np.ndarray:
    return np.loadtxt(shared_data / "behaviours" / "vtest_tracks.csv", delimiter=",", comments="#")


def test_absence_rearms_only_after_someone_stays(rows: np.ndarray) -> None:
    # Drop every detection in the left zone between 20 s and 22 s: a blink inside the presence 18–29 s.
    ax, ay = (rows[:, 2] + rows[:, 4]) / 2, rows[:, 5]
    inside = (ax < 192) & (ay >= 192) & (ay < 384)
    blink = rows[~(inside & (rows[:, 0] >= 200) & (rows[:, 0] < 220))]
    base = run({"type": "absence", "min_seconds": 10}, LEFT, frames_of(rows))
    short = run({"type": "absence", "min_seconds": 10, "grace_s": 2.5}, LEFT, frames_of(blink))
    assert [round(e.start_time - T0) for e in short] == [round(e.start_time - T0) for e in base] == [10, 40]
    # A long min_seconds: only the 29–53 s absence (24 s) is long enough.
    long = run({"type": "absence", "min_seconds": 20}, LEFT, frames_of(rows))
    assert [round(e.start_time - T0) for e in long] == [50]
    assert long[0].attributes["empty_s"] >= 20 and long[0].rule == "r" and long[0].type == "absence"
    # Only cars count as presence: the zone is "empty" from the start and one absence spans the clip.
    cars = run({"type": "absence", "min_seconds": 30, "classes": ["car"]}, LEFT, frames_of(rows))
    assert [round(e.start_time - T0) for e in cars] == [30]


def test_absence_is_silent_outside_its_schedule(rows: np.ndarray) -> None:
    # T0 is Monday 00:00 UTC: in no time zone is that a Sunday between 10:00 and 11:00 (without it: 2 events).
    ev = run(
        {"type": "absence", "min_seconds": 10, "schedule": {"days": [6], "start": "10:00", "end": "11:00"}},
        LEFT,
        frames_of(rows),
    )
    assert ev == []


def test_crowd_gathering_hold_distinguishes_crossings(rows: np.ndarray) -> None:
    fr = frames_of(rows)
    assert run({"type": "crowd_gathering"}, WHOLE, fr) == []
    crossing = run({"type": "crowd_gathering", "hold_s": 0}, WHOLE, fr)  # without hold: a crossing swing
    assert len(crossing) == 2 and all(e.attributes["growth"] >= 5 for e in crossing)


def test_config_errors_are_clear() -> None:
    base = {"id": "c", "source": {"type": "file", "path": "x"}, "zones": [{"name": "z", "points": LEFT}]}
    with pytest.raises(ValidationError, match="min_seconds"):
        CameraConfig.model_validate(
            {**base, "rules": [{"name": "a", "type": "absence", "zone": "z", "min_seconds": 0}]}
        )
    with pytest.raises(ValidationError, match="extra"):
        CameraConfig.model_validate(
            {**base, "rules": [{"name": "g", "type": "crowd_gathering", "zone": "z", "rate": 1}]}
        )
    with pytest.raises(ValidationError, match="not defined"):
        CameraConfig.model_validate({**base, "rules": [{"name": "a", "type": "absence", "zone": "nowhere"}]})


def test_registered_for_the_console() -> None:
    described = plugins.describe()["rule"]
    assert described["absence"]["title"] == {"en": "Absence from post", "zh": "离岗检测"}
    assert "min_seconds" in described["absence"]["schema"]["properties"]
    assert {"min_increase", "window_s", "hold_s"} <= set(described["crowd_gathering"]["schema"]["properties"])
