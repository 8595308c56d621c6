"""Decode speed: our FileSource (PyAV, read-ahead thread, BGR ndarray out) vs the ffmpeg command line.

Baselines, measured in the same run: ``ffmpeg -i vtest.avi -f null -`` (decode only, no colour conversion)
and ``ffmpeg -i vtest.avi -pix_fmt bgr24 -f null -`` (the same work we do: decode + YUV→BGR). Best of
``REPEATS`` alternating runs each, so a noisy neighbour on a shared machine hurts both sides alike.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from anfang.config.models import FileSourceConfig  # noqa: E402
from anfang.sources.base import create_source  # noqa: E402
from anfang.video.demo_video import find_demo_video  # noqa: E402

REPEATS = 7


def ours(video: Path) -> tuple[int, float]:
    t0 = time.perf_counter()
    with create_source("bench", FileSourceConfig(path=video, realtime=False)) as src:
        n = sum(1 for _ in src)
    return n, time.perf_counter() - t0


def ffmpeg(video: Path, *extra: str) -> float:
    t0 = time.perf_counter()
    subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i", str(video), *extra, "-f", "null", "-"], check=True)
    return time.perf_counter() - t0


def main() -> int:
    video = find_demo_video()
    if video is None:
        print("vtest.avi not found (install opencv-doc)", file=sys.stderr)
        return 1
    ours(video)  # warm the page cache and the codec tables
    best = {"ours": float("inf"), "ffmpeg": float("inf"), "ffmpeg_bgr": float("inf")}
    frames = 0
    for _ in range(REPEATS):
        frames, t = ours(video)
        best["ours"] = min(best["ours"], t)
        best["ffmpeg"] = min(best["ffmpeg"], ffmpeg(video))
        best["ffmpeg_bgr"] = min(best["ffmpeg_bgr"], ffmpeg(video, "-pix_fmt", "bgr24"))
    fps = {k: frames / v for k, v in best.items()}
    print("## Decode: FileSource vs ffmpeg CLI\n")
    print(f"vtest.avi (768x576 MS-MPEG4v3, {frames} frames), best of {REPEATS}; ffmpeg times include its start-up.\n")
    print("| decoder | frames/s | ratio ours ÷ it |")
    print("|---|---|---|")
    print(f"| anfang FileSource (BGR ndarray per frame) | {fps['ours']:.0f} | 1.00 |")
    print(f"| `ffmpeg -f null -` (decode only) | {fps['ffmpeg']:.0f} | {fps['ours'] / fps['ffmpeg']:.2f} |")
    print(f"| `ffmpeg -pix_fmt bgr24 -f null -` | {fps['ffmpeg_bgr']:.0f} | {fps['ours'] / fps['ffmpeg_bgr']:.2f} |")
    ratio = fps["ours"] / fps["ffmpeg"]
    print(f"\nRatio vs `ffmpeg -f null` (goal ≥ 0.95): **{ratio:.2f}**")
    return 0


if __name__ == "__main__":
    sys.exit(main())
