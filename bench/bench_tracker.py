"""Tracker speed and accuracy against ``supervision.ByteTrack`` on identical detections.

Input: TUD-Campus ground truth turned into detector-like output (3 % box jitter, 10 % dropped, random
scores), plus — when the model pack is built — real ComboDetector detections on the TUD-Campus video.
Both trackers get the same thresholds and lost-track buffer; we print both MOTAs and the speed ratio.

``supervision.ByteTrack`` was removed from recent supervision releases. If the installed supervision has
none, this script looks for supervision 0.26.1 installed with
``pip install --no-deps --target ~/.cache/anfang/bench/supervision-0.26.1 supervision==0.26.1``
and re-runs itself with it first on ``PYTHONPATH``; without either it reports our numbers only.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from anfang.config.models import TrackerConfig  # noqa: E402
from anfang.core.detections import Detections  # noqa: E402
from anfang.tracking import ByteTracker  # noqa: E402
from anfang.tracking.mot import GroundTruthFrame, load_mot_gt, noisy_detections, score_tracks  # noqa: E402

LEGACY_SV = Path.home() / ".cache" / "anfang" / "bench" / "supervision-0.26.1"
FPS = 25.0
REPEATS = 10
SEEDS = 10


def _baseline_factory():  # noqa: ANN202 - returns a supervision tracker factory or None
    """``supervision.ByteTrack`` if importable (possibly after re-exec with the legacy release)."""
    try:
        import supervision as sv
    except ImportError:
        return None, None
    if hasattr(sv, "ByteTrack"):
        return sv, sv.__version__
    if LEGACY_SV.is_dir() and os.environ.get("ANFANG_BENCH_REEXEC") != "1":
        env = dict(os.environ, ANFANG_BENCH_REEXEC="1")
        env["PYTHONPATH"] = os.pathsep.join([str(LEGACY_SV), env.get("PYTHONPATH", "")])
        os.execve(sys.executable, [sys.executable, *sys.argv], env)
    return None, sv.__version__


def run_ours(frames: list[Detections], cfg: TrackerConfig) -> tuple[list[Detections], float]:
    tracker = ByteTracker(cfg, frame_rate=FPS)
    best = float("inf")
    outs: list[Detections] = []
    for _ in range(REPEATS):
        tracker.reset()
        t0 = time.perf_counter()
        outs = [tracker.update(d) for d in frames]
        best = min(best, time.perf_counter() - t0)
    return outs, best


def run_supervision(sv, frames: list[Detections], cfg: TrackerConfig) -> tuple[list[Detections], float]:  # noqa: ANN001
    # Same thresholds; supervision's buffer is in 30-fps frames: max_lost = int(fps / 30 * lost_track_buffer).
    buffer = int(round(cfg.track_buffer_s * 30))
    svd = [sv.Detections(xyxy=d.xyxy.astype(np.float64), confidence=d.confidence, class_id=d.class_id) for d in frames]
    best = float("inf")
    outs: list[Detections] = []
    for _ in range(REPEATS):
        tracker = sv.ByteTrack(
            track_activation_threshold=cfg.track_thresh,
            lost_track_buffer=buffer,
            minimum_matching_threshold=cfg.match_thresh,
            frame_rate=int(FPS),
        )
        t0 = time.perf_counter()
        res = [tracker.update_with_detections(d) for d in svd]
        best = min(best, time.perf_counter() - t0)
        outs = [Detections(r.xyxy, r.confidence, r.class_id, track_id=r.tracker_id) for r in res]
    return outs, best


def real_detections(video: Path, n_frames: int) -> list[Detections] | None:
    """ComboDetector output on the video, or ``None`` when the model pack is not built."""
    try:
        import cv2

        from anfang.config.models import ComboDetectorConfig
        from anfang.models.paths import default_models_dir
        from anfang.vision.registry import create_detector

        models = default_models_dir()
        if not (models / "manifest.json").is_file():
            return None
        detector = create_detector(ComboDetectorConfig(), models)
    except Exception as exc:  # noqa: BLE001 - optional part of the bench
        print(f"(real detections skipped: {exc})", file=sys.stderr)
        return None
    cap = cv2.VideoCapture(str(video))
    out = []
    while len(out) < n_frames:
        ok, image = cap.read()
        if not ok:
            break
        out.append(detector.detect(image))
    cap.release()
    return out


def row(name: str, gt: list[GroundTruthFrame], runs: list[list[Detections]], sv, cfg: TrackerConfig) -> str:  # noqa: ANN001
    """One table row: metrics averaged over ``runs`` (detection sequences), times summed over them."""
    n = sum(len(r) for r in runs)
    t_ours, m_ours = 0.0, []
    t_base, m_base = 0.0, []
    for frames in runs:
        outs, t = run_ours(frames, cfg)
        t_ours += t
        m_ours.append(score_tracks(gt[: len(outs)], outs))
        if sv is not None:
            outs, t = run_supervision(sv, frames, cfg)
            t_base += t
            m_base.append(score_tracks(gt[: len(outs)], outs))

    def fmt(ms: list[dict], t: float) -> str:
        mota = np.mean([m["mota"] for m in ms])
        idf1 = np.mean([m["idf1"] for m in ms])
        return f"{mota:.3f} | {idf1:.3f} | {1e3 * t / n:.3f}"

    if sv is None:
        return f"| {name} | {fmt(m_ours, t_ours)} | – | – | – | – |"
    return f"| {name} | {fmt(m_ours, t_ours)} | {fmt(m_base, t_base)} | **{t_base / t_ours:.2f}×** |"


def main() -> int:
    sv, sv_version = _baseline_factory()
    data = REPO / "tests" / "data" / "mot15" / "TUD-Campus"
    gt = load_mot_gt(data / "gt" / "gt.txt")
    cfg = TrackerConfig()
    print("## Tracker: anfang ByteTracker vs supervision.ByteTrack\n")
    base = f"supervision {sv_version}" if sv is not None else f"unavailable (supervision {sv_version} has none)"
    print(f"Baseline: `supervision.ByteTrack` — {base}. Same detections, same thresholds; time = best of "
          f"{REPEATS} passes; speed-up = baseline time ÷ ours.\n")
    print("| input | MOTA ours | IDF1 ours | ms/frame ours | MOTA sv | IDF1 sv | ms/frame sv | speed-up |")
    print("|---|---|---|---|---|---|---|---|")
    runs = [noisy_detections(gt, seed=seed) for seed in range(SEEDS)]
    print(row(f"TUD-Campus GT + 3 % jitter, 10 % dropped (mean of {SEEDS} seeds)", gt, runs, sv, cfg), flush=True)
    real = real_detections(data / "TUD-Campus.mp4", len(gt))
    if real is not None:
        print(row("TUD-Campus, ComboDetector detections", gt, [real], sv, cfg))
    else:
        print("\n(real-detector row skipped: model pack not built)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
