"""Video quality diagnosis end to end on real video: no alarm on the clean clips, alarms (and their
clearing) on degraded real frames, the silence watchdog, config overrides, and the health routes."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import cv2
import numpy as np
import pytest

from anfang.config import parse_config
from anfang.core.detections import Detections
from anfang.core.frame import Frame
from anfang.events.model import Event
from anfang.platform import Platform
from anfang.quality import degrade
from anfang.quality.component import Quality, QualityObserver
from anfang.quality.config import CameraQualityConfig, QualityConfig, effective
from anfang.quality.evaluation import ABSOLUTE, EDITED_CLIPS, FIXED_CLIPS, sample_frames
from anfang.quality.health import CameraHealth
from anfang.vision.hog import HogDetector
from tests.security.api_fixtures import client_as

VTEST = FIXED_CLIPS[0]


def _frames(path: Path):
    cap = cv2.VideoCapture(str(path))
    fps = cap.get(cv2.CAP_PROP_FPS) or 25.0
    seq = 0
    try:
        while True:
            ok, img = cap.read()
            if not ok:
                return
            yield Frame("cam", seq, seq / fps, 1_000_000.0 + seq / fps, img)
            seq += 1
    finally:
        cap.release()


@pytest.mark.parametrize("path", [*FIXED_CLIPS, *EDITED_CLIPS], ids=lambda p: p.name)
def test_no_alarm_on_clean_real_video(path: Path) -> None:
    """Every frame of the clip through the observer, a check every 0.1-0.5 s of video (far denser than the
    10 s default): not one event."""
    checks = list(ABSOLUTE) if path in EDITED_CLIPS else QualityConfig().checks  # cuts are real scene changes
    interval = {"vtest.avi": 0.5, "TUD-Campus.mp4": 0.1}.get(path.name, 0.3)
    health = CameraHealth("cam", None, QualityConfig(interval_s=interval, checks=checks))
    observer = QualityObserver(health)
    events: list[Event] = []
    for frame in _frames(path):
        events.extend(observer.on_frame(frame, Detections.empty(), False) or ())
    assert len(health.history) >= 20, "too few checks to mean anything"
    assert health.history[-1]["baselined"] or path in EDITED_CLIPS
    assert events == [], [e.attributes["message"] for e in events]


def _run(health: CameraHealth, images: list[np.ndarray], t0: float = 0.0) -> list[Event]:
    out: list[Event] = []
    for i, img in enumerate(images):
        out.extend(health.check(img, t0 + i * 10.0, online=True))
    return out


@pytest.fixture(scope="module")
def vtest_frames() -> list[np.ndarray]:
    return list(sample_frames(VTEST, 24))


def test_blur_raises_after_k_checks_and_clears(vtest_frames: list[np.ndarray]) -> None:
    health = CameraHealth("cam", "Lobby", QualityConfig())
    rng = np.random.default_rng(0)
    clean, rest = vtest_frames[:6], vtest_frames[6:]
    assert _run(health, clean) == []
    blurred = [degrade.blur(f, 3.0, rng) for f in rest[:4]]
    raised = _run(health, blurred, 60.0)
    assert [e.type for e in raised] == ["quality_blur"]
    assert health.streak["blur"] == 4  # raised on the 3rd in a row (persist_checks), not the 1st
    ev = raised[0]
    assert ev.rule == "system" and ev.camera_id == "cam"
    assert ev.attributes["severity"] == "major" and "Lobby" in ev.attributes["message"]
    assert ev.attributes["since"] == 60.0
    assert health.summary()["status"] == "degraded" and health.summary()["needs_technician"]
    cleared = _run(health, rest[4:7], 100.0)
    assert [e.type for e in cleared] == ["quality_blur_cleared"]
    assert cleared[0].attributes["cleared_event_id"] == ev.id and cleared[0].attributes["severity"] == "info"
    assert health.summary()["status"] == "ok"


@pytest.mark.parametrize(
    ("defect", "make"),
    [
        ("signal_loss", lambda f, r: degrade.uniform(f, 1.0, r)),
        ("dark", lambda f, r: degrade.gain(f, 0.3, r)),
        ("colour_cast", lambda f, r: degrade.colour_gain(f, 1.4, r)),
        ("noise", lambda f, r: degrade.gaussian_noise(f, 15.0, r)),
        ("occlusion", lambda f, r: degrade.occluder(f, 0.4, r)),
        ("scene_change", lambda f, r: degrade.rotate(f, 6.0, r)),
    ],
)
def test_each_defect_alarms_on_degraded_real_frames(vtest_frames: list[np.ndarray], defect: str, make) -> None:
    health = CameraHealth("cam", None, QualityConfig())
    rng = np.random.default_rng(1)
    _run(health, vtest_frames[:5])
    events = _run(health, [make(f, rng) for f in vtest_frames[5:9]], 50.0)
    assert f"quality_{defect}" in [e.type for e in events], health.history[-1]["defects"]


def test_frozen_only_while_online(vtest_frames: list[np.ndarray]) -> None:
    health = CameraHealth("cam", None, QualityConfig())
    _run(health, vtest_frames[:5])
    still = vtest_frames[5]
    offline = [e.type for i in range(4) for e in health.check(still, 100.0 + i * 10, online=False)]
    assert "quality_frozen" not in offline
    online = [e.type for i in range(4) for e in health.check(still, 200.0 + i * 10, online=True)]
    assert online == ["quality_frozen"]


def test_blue_screen_is_named_and_skips_the_other_checks(vtest_frames: list[np.ndarray]) -> None:
    health = CameraHealth("cam", None, QualityConfig())
    _run(health, vtest_frames[:5])
    blue = degrade.uniform(vtest_frames[5], 1.0, np.random.default_rng(2))
    health.check(blue, 60.0, online=True)
    results = health.history[-1]["results"]
    assert results["signal_loss"]["defect"] and results["signal_loss"]["detail"]["colour"] == "blue"
    assert "blur" not in results and "occlusion" not in results


def test_overrides_merge_and_bad_values_are_errors() -> None:
    base = QualityConfig()
    cam = effective(base, CameraQualityConfig(interval_s=2.0, checks=["blur"], thresholds={"blur": 0.3}))
    assert cam.interval_s == 2.0 and cam.checks == ["blur"] and cam.thresholds.blur == 0.3
    assert cam.thresholds.dark == base.thresholds.dark
    with pytest.raises(ValueError):
        parse_config({"quality": {"interval_s": 0}})
    with pytest.raises(ValueError):
        parse_config({"quality": {"checks": ["focus"]}})
    with pytest.raises(ValueError):
        effective(base, CameraQualityConfig(thresholds={"blur": 5.0}))  # blur ratio is at most 1


def _platform(tmp_path: Path, quality: dict | None = None) -> Platform:
    cams = [
        {"id": cid, "source": {"type": "file", "path": "/nonexistent/anfang-test/never.mp4"}}
        for cid in ("cam1", "cam2")
    ]
    cfg = parse_config({"data_dir": str(tmp_path), "cameras": cams, "quality": quality or {}})
    return Platform(cfg, detector=HogDetector())


def test_silent_source_raises_signal_loss_through_the_sink(tmp_path: Path) -> None:
    platform = _platform(tmp_path, {"stale_s": 5.0})
    try:
        quality = platform.get(Quality)
        cam = platform.camera("cam1")
        observer = quality.observer(cam)
        assert isinstance(observer, QualityObserver)
        health = quality.cameras["cam1"]
        health.last_seen = 1000.0
        sent = [quality.sweep(1000.0 + 10.0 * i) for i in range(1, 4)]
        assert sent == [0, 0, 1]
        stored, _ = platform.events.query(camera_id="cam1")
        assert [r.type for r in stored] == ["quality_signal_loss"]
        assert stored[0].attributes["severity"] == "critical"
        observer.close()  # a stopped camera is not "silent"
        assert quality.sweep(2000.0) == 0
    finally:
        platform.stop()


def test_health_routes_respect_camera_grants(tmp_path: Path, vtest_frames: list[np.ndarray]) -> None:
    platform = _platform(tmp_path)
    try:
        quality = platform.get(Quality)
        health = quality.health(platform.camera("cam1"))
        quality.health(platform.camera("cam2"))
        _run(health, vtest_frames[:5])
        rng = np.random.default_rng(3)
        _run(health, [degrade.blur(f, 4.0, rng) for f in vtest_frames[5:9]], 50.0)
        platform.users.create("all", None, "viewer")
        platform.users.create("two", None, "viewer", cameras=["cam2"])
        with client_as(platform, "all") as c:
            everything = c.get("/api/quality").json()
            assert {s["camera_id"]: s["status"] for s in everything} == {"cam1": "degraded", "cam2": "ok"}
            one = c.get("/api/cameras/cam1/quality", params={"limit": 3}).json()
            assert len(one["history"]) == 3 and "blur" in one["active"]
            assert one["history"][-1]["results"]["blur"]["op"] == "<"
            report = c.get("/api/quality/report.csv")
            assert report.status_code == 200 and report.headers["content-type"].startswith("text/csv")
            rows = list(csv.DictReader(io.StringIO(report.text)))
            assert (
                rows[0]["camera_id"] == "cam1" and rows[0]["defect"] == "blur" and rows[0]["needs_technician"] == "yes"
            )
            assert rows[1]["camera_id"] == "cam2" and rows[1]["needs_technician"] == "no"
            assert c.get("/api/cameras/ghost/quality").status_code == 404
        with client_as(platform, "two") as c:
            assert [s["camera_id"] for s in c.get("/api/quality").json()] == ["cam2"]
            assert c.get("/api/cameras/cam1/quality").status_code == 404
            assert "cam1" not in c.get("/api/quality/report.csv").text
    finally:
        platform.stop()


def test_routes_answer_503_when_diagnosis_is_off(tmp_path: Path) -> None:
    platform = _platform(tmp_path, {"enabled": False})
    try:
        assert platform.find(Quality) is None
        platform.users.create("v", None, "viewer")
        with client_as(platform, "v") as c:
            assert c.get("/api/quality").status_code == 503
            assert c.get("/api/cameras/cam1/quality").status_code == 503
    finally:
        platform.stop()
