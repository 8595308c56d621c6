"""ms/frame of each detector plug-in against OpenCV's HOG people detector, measured in the same run.

Absolute milliseconds depend on the machine (and on what else runs on it); the ratio to HOG, timed in the
same process on the same frames, is what stays comparable between runs and machines.

    python bench/bench_detectors.py [--frames 30] [--video PATH] [--models-dir DIR]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import cv2
import numpy as np

from anfang.config.models import (
    CenterNetDetectorConfig,
    ComboDetectorConfig,
    HogDetectorConfig,
    SsdLiteDetectorConfig,
)
from anfang.models.pack import ModelPackError
from anfang.models.paths import default_models_dir
from anfang.vision.base import Detector
from anfang.vision.registry import create_detector

REPO = Path(__file__).resolve().parent.parent
DEFAULT_VIDEO = REPO / "tests" / "data" / "mot15" / "TUD-Campus" / "TUD-Campus.mp4"


def load_frames(video: Path, n: int) -> list[np.ndarray]:
    cap = cv2.VideoCapture(str(video))
    frames = []
    while len(frames) < n:
        ok, img = cap.read()
        if not ok:
            break
        frames.append(img)
    cap.release()
    if not frames:
        raise SystemExit(f"no frames decoded from {video}")
    return frames


def time_detector(det: Detector, frames: list[np.ndarray], warmup: int = 2) -> tuple[float, float]:
    """Median and mean ms/frame (median resists the noise of a shared machine)."""
    for img in frames[:warmup]:
        det.detect(img)
    times = []
    for img in frames:
        t0 = time.perf_counter()
        det.detect(img)
        times.append((time.perf_counter() - t0) * 1000)
    return float(np.median(times)), float(np.mean(times))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=30)
    ap.add_argument("--video", type=Path, default=DEFAULT_VIDEO)
    ap.add_argument("--models-dir", type=Path, default=None)
    args = ap.parse_args()
    models_dir = args.models_dir or default_models_dir()
    frames = load_frames(args.video, args.frames)
    h, w = frames[0].shape[:2]
    print("## Detectors: ms/frame vs OpenCV HOG\n")
    print(f"{len(frames)} frames {w}x{h} of `{args.video.name}`, median of per-frame times after 2 warm-up frames; ")
    print("baseline: `cv2.HOGDescriptor` people detector (the `hog` plug-in), timed in the same run.\n")
    configs = [HogDetectorConfig(), CenterNetDetectorConfig(), SsdLiteDetectorConfig(), ComboDetectorConfig()]
    print("| detector | median ms/frame | mean ms/frame | time / HOG | speed-up vs HOG |")
    print("|---|---|---|---|---|")
    base = None
    for cfg in configs:
        try:
            det = create_detector(cfg, models_dir)
        except ModelPackError as exc:
            print(f"| {cfg.type} | skipped: {exc} | | | |")
            continue
        med, mean = time_detector(det, frames)
        base = base or med
        print(f"| {cfg.type} | {med:.1f} | {mean:.1f} | {med / base:.2f} | {base / med:.1f}x |", flush=True)


if __name__ == "__main__":
    main()
