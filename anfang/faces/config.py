"""The ``faces:`` config section (face watchlists / 布控). Off by default: face analysis costs CPU per person."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from anfang.vision.face.config import FaceDetectorConfig


class FacesConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = False
    # cosine similarity at which a face matches a watchlist person (see docs/faces-plates.md for FAR/FRR)
    match_threshold: Annotated[float, Field(ge=0.0, le=1.0)] = 0.56  # = vision.face.DEFAULT_MATCH_THRESHOLD
    # a person track is analysed at most once per this many seconds (best face crop of that moment)
    interval_s: Annotated[float, Field(gt=0.0)] = 1.0
    # faces narrower than this (pixels) are too small to identify reliably and are skipped. This is the
    # identification floor, applied after detection; the detector itself (``detector.min_size``) finds
    # smaller faces too, because masking must cover them.
    min_face: Annotated[int, Field(ge=8)] = 24
    # optional presentation-attack gate: 0 = record the liveness score only, never suppress a match
    min_liveness: Annotated[float, Field(ge=0.0, le=1.0)] = 0.0
    # the one face detector's settings, shared by recognition and privacy masking (docs/faces.md)
    detector: FaceDetectorConfig = FaceDetectorConfig()  # pydantic copies model defaults per instance
