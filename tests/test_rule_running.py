"""The ``running`` rule and the ground-plane calibration, on real tracks of vtest.avi (PETS09-S2L1).

The calibration of vtest used here is *rough*, derived from the people themselves: fitting box height
against foot row over all tracks gives the horizon (y ≈ -58) and the camera height (≈ 6.85 m for 1.7 m
people); a focal length of 768 px (the image width) is assumed. With it, walkers in vtest measure mostly
1–2 m/s. The running footage is a **composite**: the same real tracks played three times faster
(labels.yaml: ``vtest_x3``), so every walker moves at 3–5 m/s.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError

from anfang.analytics import RuleEngine
from anfang.analytics.calibration import CalibrationConfig, Homography
from anfang.config.models import CameraConfig
from anfang.core.detections import Detections
from anfang.events.model import Event

sys.path.insert(0, str(Path(__file__).parent))
from test_rule_behaviours_eval import HOUR, T0, frames_of  # noqa: E402

WHOLE = [[0, 0], [768, 0], [768, 576], [0, 576]]
CAL = {
    "image": [[100, 250], [668, 250], [668, 570], [100, 570]],
    "ground": [[-6.32, 17.1], [6.32, 17.1], [3.1, 8.38], [-3.1, 8.38]],
}


@pytest.fixture(scope="module")
def rows(shared_data: Path) -> np.ndarray:
    return np.loadtxt(shared_data / "behaviours" / "vtest_tracks.csv", delimiter=",", comments="#")


def camera(rule: dict[str, Any], calibration: dict[str, Any] | None = CAL) -> CameraConfig:
    cfg: dict[str, Any] = {
        "id": "vtest",
        "source": {"type": "file", "path": "vtest.avi"},
        "zones": [{"name": "z", "points": WHOLE}],
        "rules": [{"name": "run", "type": "running", "zone": "z", **rule}],
    }
    if calibration is not None:
        cfg["calibration"] = calibration
    return CameraConfig.model_validate(cfg)


def run(rows: np.ndarray, rule: dict[str, Any], speedup: float = 1.0, loops: int = 1) -> list[Event]:
    engine = RuleEngine(camera(rule))
    events: list[Event] = []
    frames = frames_of(rows)
    for k in range(loops):
        for t, d in frames:
            ids = None if d.track_id is None else d.track_id + 100_000 * k
            ts = T0 + (k * 79.5 + t) / speedup
            events.extend(engine.update(ts, Detections(d.xyxy, d.confidence, d.class_id, ids)))
    return events


def test_homography_maps_the_four_points_and_checks_a_distance() -> None:
    h = Homography(CalibrationConfig.model_validate(CAL))
    assert np.allclose(h.to_ground(np.array(CAL["image"])), CAL["ground"], atol=1e-3)
    assert abs(h.distance((100, 570), (668, 570)) - 6.2) < 1e-2
    ok = {**CAL, "check": {"a": [100, 570], "b": [668, 570], "metres": 6.2}}
    CalibrationConfig.model_validate(ok)
    with pytest.raises(ValidationError, match="are 6.20 m apart by the four points, not 9 m"):
        CalibrationConfig.model_validate({**CAL, "check": {"a": [100, 570], "b": [668, 570], "metres": 9}})
    with pytest.raises(ValidationError, match="no three of the four may lie on one line"):
        CalibrationConfig.model_validate({**CAL, "image": [[0, 0], [10, 0], [20, 0], [0, 10]]})


def test_rejected_without_calibration() -> None:
    with pytest.raises(ValidationError, match=r"rule 'run' \(running\) measures speed in metres and needs"):
        camera({}, calibration=None)
    camera({})  # with one: fine


def test_walkers_are_not_running_one_camera_hour(rows: np.ndarray) -> None:
    """vtest looped for a camera-hour, default 3.0 m/s: 0 false alarms (the fastest walker: 2.7 m/s)."""
    assert run(rows, {}, loops=int(HOUR / 79.5) + 1) == []
    brisk = run(rows, {"min_speed_mps": 2.0})  # a threshold too low catches the brisk walkers
    assert len(brisk) == 2 and max(e.attributes["speed_mps"] for e in brisk) < 3.0


def test_composite_three_times_faster(rows: np.ndarray) -> None:
    """Every walker tracked for ≥ 2 s of composite time (30 analysed frames) should raise: recall floor."""
    ids, counts = np.unique(rows[:, 1], return_counts=True)
    eligible = set(ids[counts >= 30].astype(int).tolist())
    events = run(rows, {}, speedup=3.0)
    fired = {int(e.track_id) for e in events if e.track_id is not None}
    recall = len(fired & eligible) / len(eligible)
    assert len(eligible) == 24 and recall >= 0.66, (recall, sorted(fired))
    assert len(events) == len(fired)  # one event per visit
    ev = events[0]
    assert ev.type == "running" and ev.attributes["speed_mps"] >= 3.0 and ev.attributes["held_s"] >= 1.0
    assert ev.attributes["explanation"].startswith("speed ") and "m/s" in ev.attributes["explanation"]


def test_absurd_numbers_are_config_errors() -> None:
    with pytest.raises(ValidationError, match="finite numbers within"):
        CalibrationConfig.model_validate({**CAL, "image": [[1e300, 0], [10, 0], [20, 5], [0, 10]]})
    with pytest.raises(ValidationError, match="finite numbers within"):
        CalibrationConfig.model_validate({**CAL, "ground": [[float("nan"), 0], [10, 0], [20, 5], [0, 10]]})
