"""The ``faces:`` config section (face watchlists / 布控). Off by default: face analysis costs CPU per person."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class FacesConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = False
    # cosine similarity at which a face matches a watchlist person (see docs/faces-plates.md for FAR/FRR)
    match_threshold: float = Field(0.56, ge=0.0, le=1.0)  # = vision.face.DEFAULT_MATCH_THRESHOLD
    # a person track is analysed at most once per this many seconds (best face crop of that moment)
    interval_s: float = Field(1.0, gt=0.0)
    # faces narrower than this (pixels) are too small to identify reliably and are skipped
    min_face: int = Field(24, ge=8)
    # optional presentation-attack gate: 0 = record the liveness score only, never suppress a match
    min_liveness: float = Field(0.0, ge=0.0, le=1.0)
