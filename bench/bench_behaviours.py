"""Cost of each behaviour rule per camera (ms/frame) against the detector's own ms/frame, same run.

Runs the default detector and the ByteTrack tracker on the real PETS09-S2L1 campus clip (vtest.avi from
Debian's opencv-doc) at 5 fps of frame time, like a live camera, and times the detector, the tracker and
a RuleEngine per behaviour on the same tracked frames. ``--write-tracks PATH`` also saves the tracked
boxes (``frame, track_id, x1, y1, x2, y2, score, class_id``) that tests/test_rule_behaviours_eval.py
evaluates the rules on (end-to-end numbers without running the detector in the test suite).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import cv2

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from anfang.analytics import RuleEngine  # noqa: E402
from anfang.config.models import AppConfig, CameraConfig, TrackerConfig  # noqa: E402
from anfang.core.detections import Detections  # noqa: E402
from anfang.models.paths import default_models_dir  # noqa: E402
from anfang.tracking import ByteTracker  # noqa: E402
from anfang.video.demo_video import find_demo_video  # noqa: E402
from anfang.vision.registry import create_detector  # noqa: E402

DETECT_FPS = 5.0
ZONE = [[0, 0], [768, 0], [768, 576], [0, 576]]
RULES = {
    "absence": {"type": "absence", "zone": "all"},
    "crowd_gathering": {"type": "crowd_gathering", "zone": "all"},
    "running": {"type": "running", "zone": "all"},
}
# Rough ground plane of vtest from the people's heights (see tests/test_rule_running.py).
CALIBRATION = {
    "image": [[100, 250], [668, 250], [668, 570], [100, 570]],
    "ground": [[-6.32, 17.1], [6.32, 17.1], [3.1, 8.38], [-3.1, 8.38]],
}


def camera(rule: str) -> CameraConfig:
    cfg = {
        "id": "vtest",
        "source": {"type": "file", "path": "vtest.avi"},
        "zones": [{"name": "all", "points": ZONE}],
        "rules": [{"name": rule, **RULES[rule]}],
        "calibration": CALIBRATION if rule == "running" else None,
    }
    return CameraConfig.model_validate(cfg)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--write-tracks", type=Path)
    ap.add_argument("--frames", type=int, default=0, help="stop after this many source frames (0 = all)")
    args = ap.parse_args()
    video = find_demo_video()
    if video is None:
        sys.exit("vtest.avi not found (Debian's opencv-doc)")
    detector = create_detector(AppConfig().detector, default_models_dir())
    cap = cv2.VideoCapture(str(video))
    fps = cap.get(cv2.CAP_PROP_FPS) or 10.0
    step = max(1, round(fps / DETECT_FPS))
    tracker = ByteTracker(TrackerConfig(), frame_rate=fps / step)
    tracked: list[tuple[int, float, Detections]] = []
    det_s = trk_s = 0.0
    i = 0
    while True:
        ok, img = cap.read()
        if not ok or (args.frames and i >= args.frames):
            break
        if i % step == 0:
            t0 = time.perf_counter()
            raw = detector.detect(img)
            t1 = time.perf_counter()
            dets = tracker.update(raw)
            det_s += t1 - t0
            trk_s += time.perf_counter() - t1
            tracked.append((i, i / fps, dets))
        i += 1
    if args.write_tracks:
        rows = []
        for f, _ts, d in tracked:
            for k in range(len(d)):
                if d.track_id is None or d.track_id[k] < 0:
                    continue
                x1, y1, x2, y2 = (float(v) for v in d.xyxy[k])
                rows.append(
                    f"{f},{int(d.track_id[k])},{x1:.1f},{y1:.1f},{x2:.1f},{y2:.1f},"
                    f"{float(d.confidence[k]):.3f},{int(d.class_id[k])}"
                )
        args.write_tracks.write_text(
            "# frame,track_id,x1,y1,x2,y2,score,class_id: bench/bench_behaviours.py --write-tracks on vtest.avi\n"
            + "\n".join(rows)
            + "\n",
            encoding="utf-8",
        )
        print(f"wrote {len(rows)} tracked boxes to {args.write_tracks}")

    n = len(tracked)
    print(f"vtest.avi: {i} frames at {fps:g} fps, {n} analysed at {fps / step:g} fps")
    print(f"{'stage':<18}{'ms/frame':>10}{'x detector':>12}")
    det_ms = det_s / n * 1e3
    print(f"{'detector':<18}{det_ms:>10.3f}{1.0:>12.4f}")
    print(f"{'tracker':<18}{trk_s / n * 1e3:>10.3f}{trk_s / det_s:>12.4f}")
    for rule in RULES:
        engine = RuleEngine(camera(rule))
        best = float("inf")
        for _ in range(5):
            engine.reset()
            t0 = time.perf_counter()
            for _f, ts, d in tracked:
                engine.update(1_704_067_200.0 + ts, d)
            best = min(best, time.perf_counter() - t0)
        ms = best / n * 1e3
        print(f"{rule:<18}{ms:>10.3f}{ms / det_ms:>12.4f}")


if __name__ == "__main__":
    main()
