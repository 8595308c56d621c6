"""Vectorised detections: one object holds every box of a frame.

Like supervision's ``Detections``: parallel numpy arrays instead of per-object Python objects, so
filtering, scaling and matching stay in numpy on the hot path.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np


def _empty_data() -> dict[str, np.ndarray]:
    return {}


@dataclass
class Detections:
    """Boxes of one frame in source-image pixel coordinates.

    Attributes:
        xyxy: (N, 4) float32 boxes ``x1, y1, x2, y2``.
        confidence: (N,) float32 scores in [0, 1].
        class_id: (N,) int32 ids from :mod:`anfang.core.taxonomy`.
        track_id: (N,) int64 track ids, or ``None`` before tracking (-1 = unmatched).
        data: per-detection extras (attributes, embeddings), each an array of length N.
    """

    xyxy: np.ndarray
    confidence: np.ndarray
    class_id: np.ndarray
    track_id: np.ndarray | None = None
    data: dict[str, np.ndarray] = field(default_factory=_empty_data)

    def __post_init__(self) -> None:
        self.xyxy = np.asarray(self.xyxy, dtype=np.float32).reshape(-1, 4)
        n = len(self.xyxy)
        self.confidence = np.asarray(self.confidence, dtype=np.float32).reshape(n)
        self.class_id = np.asarray(self.class_id, dtype=np.int32).reshape(n)
        if self.track_id is not None:
            self.track_id = np.asarray(self.track_id, dtype=np.int64).reshape(n)
        for key, value in self.data.items():
            if len(value) != n:
                raise ValueError(f"data[{key!r}] has {len(value)} rows, expected {n}")

    @classmethod
    def empty(cls) -> Detections:
        return cls(np.zeros((0, 4), np.float32), np.zeros(0, np.float32), np.zeros(0, np.int32))

    def __len__(self) -> int:
        return len(self.xyxy)

    def __getitem__(self, index: Any) -> Detections:
        """Select rows by boolean mask, index array or slice (always returns ``Detections``)."""
        if isinstance(index, (int, np.integer)):
            index = [int(index)]
        return Detections(
            xyxy=self.xyxy[index],
            confidence=self.confidence[index],
            class_id=self.class_id[index],
            track_id=None if self.track_id is None else self.track_id[index],
            data={k: v[index] for k, v in self.data.items()},
        )

    @classmethod
    def merge(cls, parts: Iterable[Detections]) -> Detections:
        """Concatenate detections; extras present in every part are kept."""
        items = [p for p in parts if len(p)]
        if not items:
            return cls.empty()
        keys = set.intersection(*(set(p.data) for p in items))
        tracks = None
        if all(p.track_id is not None for p in items):
            tracks = np.concatenate([p.track_id for p in items])
        return cls(
            xyxy=np.concatenate([p.xyxy for p in items]),
            confidence=np.concatenate([p.confidence for p in items]),
            class_id=np.concatenate([p.class_id for p in items]),
            track_id=tracks,
            data={k: np.concatenate([p.data[k] for p in items]) for k in keys},
        )

    @property
    def area(self) -> np.ndarray:
        w = np.clip(self.xyxy[:, 2] - self.xyxy[:, 0], 0, None)
        h = np.clip(self.xyxy[:, 3] - self.xyxy[:, 1], 0, None)
        return w * h

    def anchors(self, anchor: str = "bottom_center") -> np.ndarray:
        """(N, 2) reference points; rules use the bottom centre (where a person stands)."""
        x1, y1, x2, y2 = self.xyxy.T
        if anchor == "bottom_center":
            return np.stack([(x1 + x2) / 2, y2], axis=1)
        if anchor == "center":
            return np.stack([(x1 + x2) / 2, (y1 + y2) / 2], axis=1)
        raise ValueError(f"unknown anchor {anchor!r}")

    def scaled(self, sx: float, sy: float) -> Detections:
        """Copy with boxes scaled (e.g. from model input size back to source pixels)."""
        out = self[np.arange(len(self))]
        out.xyxy = self.xyxy * np.array([sx, sy, sx, sy], dtype=np.float32)
        return out

    def clipped(self, width: int, height: int) -> Detections:
        out = self[np.arange(len(self))]
        out.xyxy = np.clip(self.xyxy, 0, [width, height, width, height]).astype(np.float32)
        return out
