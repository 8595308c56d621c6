"""Cost of video quality diagnosis: ms per check per camera, against the detector's own ms per frame in
the same run, on the same real frames (vtest.avi 768x576, TUD-Campus 640x480).

One check runs every ``quality.interval_s`` (10 s by default) per camera, while the detector runs at
``detect_fps`` (5 by default): the per-second share of one core is also printed, which is the number that
says how many cameras diagnosis costs. The checks are also timed one by one (the measures behind them).
Detector: the combo model pack if built, else OpenCV's HOG (``--hog`` forces it).
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


from anfang.quality import measures  # noqa: E402
from anfang.quality.config import QualityConfig  # noqa: E402
from anfang.quality.diagnose import Diagnoser  # noqa: E402
from anfang.quality.evaluation import FIXED_CLIPS, sample_frames  # noqa: E402
from bench.bench_cameras import detector  # noqa: E402

REPEAT = 3


def _ms(fn: Callable[[], object], n: int) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000.0)
    return statistics.median(times)


def main() -> None:
    det, det_name = detector()
    cfg = QualityConfig()
    print(f"detector: {det_name}; quality interval {cfg.interval_s:g} s, detect_fps 5")
    print(
        "| clip | frame | check ms (median) | detector ms/frame | check / detect "
        "| diagnosis share of a core | detection share |"
    )
    print("|---|---|---|---|---|---|---|")
    for path in (REPO / p if not p.is_absolute() else p for p in FIXED_CLIPS):
        frames = list(sample_frames(path, 20))
        diag = Diagnoser(cfg)
        for f in frames[:4]:
            diag.check(f)
        checks = [diag.check(f, learn=False).ms for f in frames[4:] for _ in range(REPEAT)]
        det.detect(frames[0])  # warm-up
        dets = [_ms(lambda f=f: det.detect(f), 1) for f in frames[4:]]
        c, d = statistics.median(checks), statistics.median(dets)
        h, w = frames[0].shape[:2]
        print(
            f"| {path.name} | {w}x{h} | {c:.2f} | {d:.1f} | {c / d:.3f} "
            f"| {c / 1000.0 / cfg.interval_s * 100:.3f} % | {d / 1000.0 * 5 * 100:.1f} % |"
        )
    frame = frames[5]
    p = measures.prepare(frame)
    feats = measures.features(p.grey)
    parts: dict[str, Callable[[], object]] = {
        "prepare (downscale, grey, crop)": lambda: measures.prepare(frame),
        "sharpness (Laplacian)": lambda: measures.laplacian_sharpness(p.grey),
        "sharpness (spectrum)": lambda: measures.high_frequency_share(p.grey),
        "exposure (histogram)": lambda: measures.exposure(p.grey),
        "colour cast (Lab)": lambda: measures.colour_cast(p.small),
        "noise (Immerkaer MAD + impulse)": lambda: (
            measures.noise_sigma(p.noise_grey),
            measures.impulse_share(p.noise_grey),
        ),
        "stripes (whitened 2-D spectrum)": lambda: measures.whitened_spectrum(p.grey),
        "texture grid (occlusion)": lambda: measures.block_texture(p.grey),
        "ORB features": lambda: measures.features(p.grey),
        "view shift (match + RANSAC)": lambda: measures.view_shift(feats, feats),
    }
    print(f"\nmeasures on one {frame.shape[1]}x{frame.shape[0]} frame (median of 30):\n")
    print("| measure | ms |\n|---|---|")
    for name, fn in parts.items():
        print(f"| {name} | {_ms(fn, 30):.2f} |")


if __name__ == "__main__":
    main()
