"""Faces inside person records: gender and age band on the Person, plus a linked Face record (GA/T 1400 FaceObject).

Why at record time and not per frame: the watchlist observer (``anfang.faces``) already looks at live faces
for alarms; records only need the face of the track's *best* view, so the face models run once per track
(a few per second on a busy camera) instead of once per frame. The face embedding is FaceRes' 1024-d
identity vector — a different space from the body ReID vector — so it lives in its own index
(``<data_dir>/index-face/``) and face search never mixes with body search.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from anfang.structuring.store import RecordStore

FACE_DIM = 1024  # FaceRes embedding size
FACE_MODEL = "faceres"
# A face's point age estimate is rarely better than ±8 years (and FaceRes reads young), so records carry a
# range — which is also what GA/T 1400 asks for (AgeLowerLimit / AgeUpLimit).
AGE_MARGIN = 8
GENDER_CODE = {"male": "1", "female": "2"}  # GB/T 2261.1


def best_face(analyzer: Any, image: np.ndarray, box: tuple[float, float, float, float]) -> Any | None:
    """The highest-quality face inside the person ``box`` of ``image`` (``None`` if there is none)."""
    faces = analyzer.analyze(image, person_box=box)
    return faces[0] if faces else None


def age_range(age: float) -> tuple[int, int]:
    return max(0, int(round(age)) - AGE_MARGIN), int(round(age)) + AGE_MARGIN


def face_attributes(face: Any) -> dict[str, Any]:
    """``gender`` and ``age`` attributes (``{value, code, confidence}`` like every other attribute).

    Gender confidence is the model's probability of the named gender; the age "confidence" is the face's
    view quality (size × frontalness × detector score) — FaceRes gives no calibrated age certainty, and a
    small or turned face is exactly when the estimate should be trusted less.
    """
    low, up = age_range(face.age)
    return {
        "gender": {
            "value": face.gender,
            "code": GENDER_CODE.get(face.gender, "0"),
            "confidence": round(float(face.gender_score), 3),
        },
        "age": {
            "value": face.age_band,
            "estimate": round(float(face.age), 1),
            "low": low,
            "up": up,
            "confidence": round(float(face.quality), 3),
        },
    }


def face_columns(face: Any) -> dict[str, Any]:
    """The indexed columns a face fills on a record row."""
    low, up = age_range(face.age)
    return {"gender": face.gender, "age_low": low, "age_up": up}


def face_row(
    face: Any, person: dict[str, Any], image: np.ndarray, store: RecordStore, jpeg_quality: int, record_id: str
) -> dict[str, Any]:
    """The Face record for ``face`` found in ``person``'s best frame: its own crop and vector, the person's
    scene picture and times, and ``parent_id`` = the Person record."""
    h, w = image.shape[:2]
    x1, y1, x2, y2 = (int(round(v)) for v in face.box)
    x1, y1, x2, y2 = max(0, x1), max(0, y1), min(w, x2), min(h, y2)
    crop = image[y1:y2, x1:x2]
    crop_rel = None
    if crop.size:
        data = cv2.imencode(".jpg", crop, [cv2.IMWRITE_JPEG_QUALITY, jpeg_quality])[1].tobytes()
        crop_rel = store.write_jpeg(record_id, person["camera_id"], person["shot_time"], "crop", data)
    details = face.to_dict()
    details.pop("box", None)
    attrs = face_attributes(face) | {"face": details, "image_size": [w, h]}
    return {
        **{k: person[k] for k in ("camera_id", "track_id", "appear_time", "disappear_time", "shot_time")},
        **face_columns(face),
        "id": record_id,
        "type": "face",
        "object_class": "face",
        "box": [float(x1), float(y1), float(x2), float(y2)],
        "confidence": round(float(face.score), 4),
        "quality": round(float(face.quality), 4),
        "attributes": attrs,
        "snapshot_path": person["snapshot_path"],  # same frame: one file, purged with both rows
        "crop_path": crop_rel,
        "embedding": np.asarray(face.embedding, np.float32).tobytes(),
        "embedding_model": FACE_MODEL,
        "parent_id": person["id"],
    }
