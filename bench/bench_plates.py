"""ms per plate: our reader (recognition + grammar decoding + colour) vs rapidocr's own pipelines
(full: detect + classify + recognise; recognise only) when its code can be imported, timed in the same run.

    python bench/bench_plates.py [--limit 100] [--data DIR]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import cv2
import numpy as np

from anfang.vision.plate import PlateReader, grammar

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "tests" / "data" / "lpr" / "plates"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--limit", type=int, default=100)
    ap.add_argument("--data", type=Path, default=DATA)
    args = ap.parse_args()
    files = sorted(args.data.glob("*.jpg"))[: args.limit]
    images = [cv2.imdecode(np.fromfile(f, np.uint8), cv2.IMREAD_COLOR) for f in files]
    reader = PlateReader()
    reader.read(images[0])  # warm-up
    start = time.perf_counter()
    ours = [reader.read(im) for im in images]
    ms_ours = (time.perf_counter() - start) * 1000 / len(images)
    acc = np.mean([bool(p) and p[0].text == f.stem for p, f in zip(ours, files, strict=True)])
    print(f"anfang PlateReader   {ms_ours:7.1f} ms/plate  exact {acc:.3f}")
    try:
        from rapidocr_onnxruntime import RapidOCR  # needs opencv-python; optional baseline
    except Exception as exc:  # noqa: BLE001 - any import failure just skips the baseline
        print(f"rapidocr baseline skipped: {exc}")
        return
    engine = RapidOCR()
    engine(images[0])
    start = time.perf_counter()
    texts = []
    for im in images:
        result, _ = engine(im)
        texts.append("".join(r[1] for r in result) if result else "")
    ms_base = (time.perf_counter() - start) * 1000 / len(images)
    base = np.mean([grammar.clean(t) == f.stem for t, f in zip(texts, files, strict=True)])
    print(f"rapidocr full        {ms_base:7.1f} ms/plate  exact {base:.3f}")
    start = time.perf_counter()
    rec_only = []
    for im in images:
        result, _ = engine(im, use_det=False, use_cls=False)
        rec_only.append(result[0][0] if result else "")
    ms_rec = (time.perf_counter() - start) * 1000 / len(images)
    rec = np.mean([grammar.clean(t) == f.stem for t, f in zip(rec_only, files, strict=True)])
    print(f"rapidocr rec only    {ms_rec:7.1f} ms/plate  exact {rec:.3f}")
    print(f"ours / rapidocr full {ms_ours / ms_base:7.2f}x   ours / rapidocr rec {ms_ours / ms_rec:5.2f}x")


if __name__ == "__main__":
    main()
