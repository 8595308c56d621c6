"""``FaceDetectorConfig``: the one set of face-detection settings, shared by privacy masking and recognition.

It lives in the ``faces:`` config section as ``faces.detector``; masking (``security:``) reads the same object,
so a face the masker blurs is a face recognition sees and vice versa. The defaults were measured on the
face_recognition photos and labelled frames of its Hamilton clip (see docs/faces.md, "Detection").
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Backend = Literal["auto", "blazeface", "haar"]


class FaceDetectorConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # "auto": BlazeFace from the model pack, OpenCV's Haar cascade when the pack lacks it (masking only:
    # recognition needs BlazeFace's landmarks). ``security.face_detector`` is the older name of this key.
    backend: Backend = "auto"
    # BlazeFace score at which a box is a face. Low on purpose: for masking a missed face is a leak.
    score_threshold: Annotated[float, Field(gt=0.0, lt=1.0)] = 0.4
    # boxes overlapping a higher-scoring one by more than this IoU are the same face
    nms_iou: Annotated[float, Field(gt=0.0, le=1.0)] = 0.3
    # a box more than this fraction inside a better-scoring one is a face part, not a face (1.0 = off)
    nms_inside: Annotated[float, Field(gt=0.0, le=1.0)] = 0.6
    # boxes whose shorter side is below this many pixels are dropped (detection; identification has its
    # own, larger floor ``faces.min_face``)
    min_size: Annotated[int, Field(ge=1)] = 8
    # besides the whole image, run on overlapping square tiles of this many source pixels, so small faces
    # in big frames reach the size BlazeFace sees (0 = whole image only)
    tile_size: Annotated[int, Field(ge=0)] = 360
    # at most this many tiles per image; bigger images get bigger tiles
    max_tiles: Annotated[int, Field(ge=1)] = 6


def face_detector_config(app_config: object) -> FaceDetectorConfig:
    """The detector settings of an app config: ``faces.detector``, with ``security.face_detector`` honoured.

    ``security.face_detector`` (the older key, masking only) and ``faces.detector.backend`` mean the same
    thing; when both are set ``faces.detector.backend`` wins, when only the old one is set it is used.
    """
    faces = getattr(app_config, "faces", None)
    cfg = getattr(faces, "detector", None)
    cfg = cfg if isinstance(cfg, FaceDetectorConfig) else FaceDetectorConfig()
    security = getattr(app_config, "security", None)
    old = getattr(security, "face_detector", None)
    set_old = old is not None and "face_detector" in getattr(security, "model_fields_set", {"face_detector"})
    if set_old and "backend" not in cfg.model_fields_set:
        cfg = cfg.model_copy(update={"backend": old})
    return cfg
