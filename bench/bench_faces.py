"""ms per face per stage (detect, align, embed+age/gender, liveness) with OpenCV's Haar cascade as the
baseline detector, timed in the same run on the same face_recognition photos.

    python bench/bench_faces.py [--repeat 3] [--data DIR] [--models-dir DIR]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import cv2

from anfang.models.paths import default_models_dir
from anfang.vision.face.align import align_face, square_crop
from anfang.vision.face.analyze import FaceAnalyzer
from anfang.vision.face.detect import HaarFaceDetector

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "tests" / "data" / "faces" / "face_recognition"


def _ms(fn, repeat: int) -> float:  # noqa: ANN001 - any callable
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - start) * 1000 / repeat


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--models-dir", type=Path, default=None)
    args = ap.parse_args()
    analyzer = FaceAnalyzer(args.models_dir or default_models_dir())
    haar = HaarFaceDetector()
    images = [cv2.imread(str(p)) for p in sorted(args.data.glob("knn_examples/**/*.jp*g"))]
    totals = {"haar detect": 0.0, "blazeface detect": 0.0, "align": 0.0, "embed": 0.0, "liveness": 0.0}
    faces = 0
    for image in images:
        found = analyzer.detector.detect(image)
        faces += len(found)
        totals["haar detect"] += _ms(lambda im=image: haar.detect(im), args.repeat)
        totals["blazeface detect"] += _ms(lambda im=image: analyzer.detector.detect(im), args.repeat)
        aligned = [align_face(image, f.landmarks, 224) for f in found]
        totals["align"] += _ms(lambda im=image, fs=found: [align_face(im, f.landmarks, 224) for f in fs], args.repeat)
        totals["embed"] += _ms(lambda a=aligned: analyzer.embedder.run(a), args.repeat)
        crops = [square_crop(image, f.box, 128, 0.1) for f in found]
        totals["liveness"] += _ms(lambda c=crops: analyzer.liveness.score(c), args.repeat)
    print(f"{len(images)} images, {faces} faces")
    for stage, total in totals.items():
        per = total / len(images) if "detect" in stage else total / max(faces, 1)
        unit = "ms/image" if "detect" in stage else "ms/face"
        print(f"{stage:<18} {per:8.1f} {unit}")
    print(f"blazeface / haar   {totals['blazeface detect'] / totals['haar detect']:8.2f}x")


if __name__ == "__main__":
    main()
