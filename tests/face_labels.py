"""Hand-labelled faces on the face_recognition data, and the scoring the detection tests use.

Clip frames: every 25th frame of ``short_hamilton_clip.mp4`` (640x360), read with OpenCV. ``FACES`` are the
faces a person can identify (in focus, frontal or profile, at least ~25 px), boxed by eye on a 40 px grid,
forehead to chin; ``IGNORE`` are out-of-focus audience faces behind the speaker: masking them is welcome,
missing them is not counted, and a box on them is not a false positive.

Photos: knn_examples and the two reference photos. Each identity photo shows exactly one face;
``kit_with_rose.jpg`` two; ``obama_and_biden.jpg`` three (Biden, Obama, and a girl at the bottom right).
On photos a detection is matched by count (one face per photo is unambiguous at these sizes).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

Box = tuple[int, int, int, int]
CLIP_STEP = 25
FACES: dict[int, list[Box]] = {
    0: [(522, 56, 568, 103), (52, 190, 79, 218)],
    25: [(335, 40, 560, 330)],  # close-up profile
    50: [(500, 25, 640, 245)],  # profile, cut by the right edge
    75: [(445, 110, 640, 330)],  # profile
    100: [(203, 104, 288, 190)],
    125: [(201, 57, 287, 144)],
    150: [(205, 44, 299, 138)],
    175: [(200, 80, 297, 177)],
    200: [(262, 56, 353, 147)],
    225: [(45, 72, 115, 145), (162, 97, 240, 175), (315, 58, 380, 124), (378, 99, 456, 178)],
    250: [(45, 72, 110, 135), (170, 95, 247, 175), (323, 62, 392, 130), (385, 103, 462, 181)],
}
IGNORE: dict[int, list[Box]] = {25: [(130, 60, 195, 135)], 50: [(185, 70, 255, 145)], 75: [(170, 90, 245, 165)]}
PHOTO_FACES = {"kit_with_rose.jpg": 2, "obama_and_biden.jpg": 3}  # every other photo: 1
MATCH_IOU = 0.3  # labels are by eye, and detectors box faces differently (BlazeFace: eyes to mouth)


def clip_frames(data: Path) -> dict[int, np.ndarray]:
    cap = cv2.VideoCapture(str(data / "faces" / "face_recognition" / "short_hamilton_clip.mp4"))
    out, i = {}, 0
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        if i in FACES:
            out[i] = frame
        i += 1
    cap.release()
    return out


def photos(data: Path) -> dict[str, np.ndarray]:
    root = data / "faces" / "face_recognition"
    paths = sorted(root.glob("knn_examples/*/*.jp*g")) + sorted(root.glob("knn_examples/train/*/*"))
    paths += sorted(root.glob("*.png"))
    return {str(p.relative_to(root)): cv2.imread(str(p)) for p in paths}  # two photos are called img1.jpg


def iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU matrix of (N, 4) and (M, 4) xyxy boxes."""
    a, b = np.asarray(a, np.float32).reshape(-1, 4), np.asarray(b, np.float32).reshape(-1, 4)
    wh = np.clip(np.minimum(a[:, None, 2:], b[None, :, 2:]) - np.maximum(a[:, None, :2], b[None, :, :2]), 0, None)
    inter = wh[..., 0] * wh[..., 1]
    area = lambda x: (x[:, 2] - x[:, 0]) * (x[:, 3] - x[:, 1])  # noqa: E731
    return inter / (area(a)[:, None] + area(b)[None, :] - inter + 1e-9)


@dataclass
class Score:
    tp: int = 0
    fn: int = 0
    fp: int = 0
    ms: float = 0.0
    images: int = 0

    @property
    def recall(self) -> float:
        return self.tp / max(self.tp + self.fn, 1)

    @property
    def precision(self) -> float:
        return self.tp / max(self.tp + self.fp, 1)

    @property
    def ms_per_image(self) -> float:
        return self.ms / max(self.images, 1)

    def row(self) -> str:
        found = f"{self.tp}/{self.tp + self.fn}"
        return f"recall {self.recall:.3f} ({found})  precision {self.precision:.3f}  {self.ms_per_image:.1f} ms"


def score_frames(boxes_of: Callable[[np.ndarray], np.ndarray], frames: dict[int, np.ndarray]) -> Score:
    """Greedy one-to-one matching at ``MATCH_IOU``; detections on ``IGNORE`` faces count neither way."""
    s = Score()
    for k, frame in frames.items():
        t = time.perf_counter()
        found = np.asarray(boxes_of(frame), np.float32).reshape(-1, 4)
        s.ms += (time.perf_counter() - t) * 1000
        s.images += 1
        labels = np.asarray(FACES[k], np.float32).reshape(-1, 4)
        m = iou(labels, found)
        used: set[int] = set()
        for i in np.argsort(-m.max(axis=1) if m.size else np.zeros(len(labels))):
            cand = [c for c in np.argsort(-m[i]) if m[i, c] >= MATCH_IOU and int(c) not in used] if m.size else []
            if cand:
                used.add(int(cand[0]))
                s.tp += 1
            else:
                s.fn += 1
        rest = [j for j in range(len(found)) if j not in used]
        if rest and k in IGNORE:
            ign = iou(found[rest], np.asarray(IGNORE[k], np.float32))
            rest = [j for j, r in zip(rest, ign.max(axis=1), strict=True) if r < MATCH_IOU]
        s.fp += len(rest)
    return s


def score_photos(boxes_of: Callable[[np.ndarray], np.ndarray], images: dict[str, np.ndarray]) -> Score:
    s = Score()
    for name, image in images.items():
        t = time.perf_counter()
        n = len(np.asarray(boxes_of(image)).reshape(-1, 4))
        s.ms += (time.perf_counter() - t) * 1000
        s.images += 1
        want = PHOTO_FACES.get(Path(name).name, 1)
        s.tp += min(n, want)
        s.fn += max(want - n, 0)
        s.fp += max(n - want, 0)
    return s


def covered(boxes: np.ndarray, label: np.ndarray, shape: tuple[int, ...], margin: float = 0.25) -> float:
    """Fraction of ``label``'s area inside ``boxes`` grown by the masker's margin (what gets blurred)."""
    mask = np.zeros(shape[:2], bool)
    h, w = shape[:2]
    for x1, y1, x2, y2 in np.asarray(boxes, np.float32).reshape(-1, 4):
        mx, my = (x2 - x1) * margin, (y2 - y1) * margin
        mask[int(max(0, y1 - my)) : int(min(h, y2 + my)), int(max(0, x1 - mx)) : int(min(w, x2 + mx))] = True
    x1, y1, x2, y2 = (int(v) for v in label)
    return float(mask[y1:y2, x1:x2].mean())


def masked_faces(boxes_of: Callable[[np.ndarray], np.ndarray], frames: dict[int, np.ndarray]) -> tuple[int, int]:
    """(labelled faces at least half blurred, labelled faces): a face less than half covered leaks."""
    hit = total = 0
    for k, frame in frames.items():
        found = boxes_of(frame)
        for label in FACES[k]:
            total += 1
            hit += covered(found, np.asarray(label), frame.shape) >= 0.5
    return hit, total
