"""The console's own routes: acknowledgement verdicts, host health, heatmaps; and the SPA being served."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from anfang.analytics.heatmap import Heatmap
from anfang.config import parse_config
from anfang.core.detections import Detections
from anfang.events.model import Event
from anfang.platform import Platform
from anfang.vision.hog import HogDetector
from tests.api_auth import api_client


def test_heatmap_grid_counts_person_feet() -> None:
    hm = Heatmap(cols=8)
    det = Detections(
        np.array([[0, 0, 10, 50], [70, 10, 80, 99], [30, 30, 40, 40]], np.float32),
        np.ones(3, np.float32),
        np.array([0, 0, 2], np.int32),  # two persons, one car
        track_id=np.array([1, 2, 3]),
    )
    hm.add(det, 80, 100)
    grid, points = hm.snapshot()
    assert grid is not None and grid.shape == (10, 8) and points == 2
    assert grid[5, 0] == 1 and grid[9, 7] == 1 and grid.sum() == 2  # bottom centre of each person box
    assert hm.render().shape == (100, 80, 3)


def test_ack_system_heatmap_routes(tmp_path: Path) -> None:
    platform = Platform(parse_config({"data_dir": str(tmp_path)}), detector=HogDetector())
    ev = Event(camera_id="cam", rule="r", type="intrusion", start_time=time.time(), object_class="person")
    platform.events.add(ev)
    with api_client(platform) as client:
        r = client.post(f"/api/events/{ev.id}/ack", json={"status": "false_alarm", "note": "cat"})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["acknowledged"] and body["attributes"]["ack"]["status"] == "false_alarm"
        assert client.get(f"/api/events/{ev.id}").json()["attributes"]["ack"]["note"] == "cat"
        bad = client.post(f"/api/events/{ev.id}/ack", json={"status": "maybe"})
        assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "status"
        assert client.post("/api/events/nope/ack", json={}).status_code == 404
        sysinfo = client.get("/api/system").json()
        assert 0 <= sysinfo["memory"]["percent"] <= 100 and sysinfo["disks"]["data_dir"]["total"] > 0
        assert client.get("/api/cameras/nope/heatmap.png").status_code == 404
    platform.stop()
