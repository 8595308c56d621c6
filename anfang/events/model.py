"""The event every rule emits and every sink consumes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import numpy as np


def new_event_id() -> str:
    """Sortable-enough unique id (uuid4 hex); stored as text so PostgreSQL and SQLite agree."""
    return uuid.uuid4().hex


@dataclass
class Event:
    """An alarm or count raised by a rule for one object (or one zone, for crowd).

    ``snapshot`` and ``crop`` carry encoded JPEG bytes until the store writes them to disk and fills in
    ``snapshot_path`` / ``crop_path``; sinks that only need metadata never touch the bytes.
    """

    camera_id: str
    rule: str  # rule name from the config
    type: str  # intrusion | line_crossing | loitering | crowd | counting | camera_offline ...
    start_time: float  # epoch seconds
    end_time: float | None = None
    object_class: str | None = None
    track_id: int | None = None
    box: tuple[float, float, float, float] | None = None  # x1, y1, x2, y2 in source pixels
    score: float | None = None
    attributes: dict[str, Any] = field(default_factory=dict)  # e.g. direction, count, dwell_s
    id: str = field(default_factory=new_event_id)
    snapshot: bytes | None = None
    crop: bytes | None = None
    snapshot_path: str | None = None
    crop_path: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready metadata (no image bytes)."""
        return {
            "id": self.id,
            "camera_id": self.camera_id,
            "rule": self.rule,
            "type": self.type,
            "object_class": self.object_class,
            "track_id": self.track_id,
            "start_time": self.start_time,
            "end_time": self.end_time,
            "box": list(self.box) if self.box is not None else None,
            "score": self.score,
            "attributes": _jsonable(self.attributes),
            "snapshot_path": self.snapshot_path,
            "crop_path": self.crop_path,
        }


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value
