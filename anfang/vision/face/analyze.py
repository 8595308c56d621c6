"""``FaceAnalyzer``: detect → align → embed (+ age, gender) → liveness, for one image or one person crop.

This is the single entry point other features call (watchlists, records, search). Per-face results are
small dataclasses because callers handle a handful of faces per person track, not thousands per frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from anfang.vision.face.align import align_face, frontalness, square_crop
from anfang.vision.face.config import FaceDetectorConfig
from anfang.vision.face.detect import FaceDetector
from anfang.vision.face.embed import FaceResEmbedder, age_band
from anfang.vision.face.liveness import LivenessScorer

# Cosine similarity of FaceRes embeddings at which two faces are called the same person. Measured on all
# pairs of single-face images of face_recognition's knn_examples: genuine min 0.613, impostor max 0.503.
DEFAULT_MATCH_THRESHOLD = 0.56


@dataclass
class Face:
    box: tuple[float, float, float, float]  # x1, y1, x2, y2 in the input image
    landmarks: np.ndarray  # (6, 2): right eye, left eye, nose, mouth, right ear, left ear
    score: float  # detector confidence
    embedding: np.ndarray  # (1024,) float32, L2-normalised: cosine similarity = dot product
    age: float
    age_band: str
    gender: str  # "female" | "male"
    gender_score: float  # confidence of ``gender`` (0.5..1)
    liveness: float  # livenessnet P(live), NaN when the model is missing
    antispoof: float  # antispoof P(real), NaN when the model is missing
    frontalness: float  # 0..1, nose centred between the eyes
    quality: float  # 0..1 for picking a track's best face: size x frontalness x detector score

    def to_dict(self) -> dict:
        """JSON-ready attributes (no embedding)."""
        return {
            "box": [round(v, 1) for v in self.box],
            "score": round(self.score, 3),
            "age": round(self.age, 1),
            "age_band": self.age_band,
            "gender": self.gender,
            "gender_score": round(self.gender_score, 3),
            "liveness": None if np.isnan(self.liveness) else round(float(self.liveness), 3),
            "antispoof": None if np.isnan(self.antispoof) else round(float(self.antispoof), 3),
            "frontalness": round(self.frontalness, 3),
            "quality": round(self.quality, 3),
        }


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine similarity of two L2-normalised embeddings."""
    return float(np.dot(a, b))


class FaceAnalyzer:
    """``FaceAnalyzer(models_dir).analyze(image_bgr, person_box=None) -> list[Face]`` (best face first)."""

    def __init__(
        self,
        models_dir: Path,
        score_threshold: float | None = None,
        min_face: int = 24,
        threads: int = 2,
        detector: FaceDetector | None = None,
        detector_config: FaceDetectorConfig | None = None,
    ) -> None:
        """``detector``: the shared :class:`FaceDetector` (the masker's); else one is loaded from
        ``detector_config`` (default: ``FaceDetectorConfig()``, the same settings masking uses). Recognition
        needs landmarks, so the backend is always BlazeFace. ``score_threshold`` overrides the config's
        (kept for old callers); ``min_face`` is the identification floor, ``faces.min_face``."""
        if detector is None:
            cfg = detector_config or FaceDetectorConfig()
            update: dict[str, object] = {"backend": "blazeface"}
            if score_threshold is not None:
                update["score_threshold"] = score_threshold
            detector = FaceDetector.load(models_dir, cfg.model_copy(update=update), threads=threads)
        if not detector.has_landmarks:
            raise ValueError(f"face recognition needs BlazeFace's landmarks, not the {detector.name} detector")
        self.detector = detector
        self.embedder = FaceResEmbedder(models_dir, threads)
        self.liveness = LivenessScorer(models_dir)
        self.min_face = min_face

    def analyze(
        self, image_bgr: np.ndarray, person_box: tuple[float, float, float, float] | None = None, max_faces: int = 8
    ) -> list[Face]:
        ox = oy = 0
        image = image_bgr
        if person_box is not None:
            # faces are in the top part of a person box; a square-ish crop of it keeps BlazeFace's input sharp
            h, w = image_bgr.shape[:2]
            x1, y1, x2, y2 = (int(round(v)) for v in person_box)
            x1, y1, x2 = max(x1, 0), max(y1, 0), min(x2, w)
            y2 = min(y2, h, y1 + max(int((x2 - x1) * 1.3), 1))
            ox, oy = x1, y1
            image = image_bgr[y1:y2, x1:x2]
            if image.size == 0:
                return []
        # the detector's faces (the same ones masking blurs), less those too small to identify
        found = [f for f in self.detector.detect(image) if min(f.box[2:] - f.box[:2]) >= self.min_face]
        found = found[:max_faces]  # best score first
        if not found:
            return []
        aligned = [align_face(image, f.landmarks, FaceResEmbedder.size) for f in found]
        emb, p_male, ages = self.embedder.run(aligned)
        real, live = self.liveness.score([square_crop(image, f.box, 128, 0.1) for f in found])
        faces = []
        for i, f in enumerate(found):
            side = float(min(f.box[2] - f.box[0], f.box[3] - f.box[1]))
            front = frontalness(f.landmarks)
            quality = min(side / 112.0, 1.0) * (0.5 + 0.5 * front) * f.score
            p_female = 1.0 - float(p_male[i])
            box = (float(f.box[0] + ox), float(f.box[1] + oy), float(f.box[2] + ox), float(f.box[3] + oy))
            faces.append(
                Face(
                    box=box,
                    landmarks=f.landmarks + np.array([ox, oy], np.float32),
                    score=f.score,
                    embedding=emb[i],
                    age=float(ages[i]),
                    age_band=age_band(float(ages[i])),
                    gender="female" if p_female >= 0.5 else "male",
                    gender_score=max(p_female, 1 - p_female),
                    liveness=float(live[i]),
                    antispoof=float(real[i]),
                    frontalness=front,
                    quality=quality,
                )
            )
        faces.sort(key=lambda face: -face.quality)
        return faces
