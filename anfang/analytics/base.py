"""What every rule shares: class filter, schedule, per-frame view, bounded per-track state.

Rules see a :class:`FrameView` — the frame's detections plus lazily computed, cached geometry — so a zone
used by three rules is tested once per frame, with one vectorised point-in-polygon call.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from anfang.analytics.config import LineConfig, Schedule, ZoneConfig
from anfang.analytics.geometry import points_in_polygon, side_of_line, within_segment_extent
from anfang.core.detections import Detections
from anfang.core.taxonomy import class_id, class_name
from anfang.events.model import Event

FORGET_AFTER_S = 30.0  # per-track state older than this is dropped (track ids are never reused)


def _minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def schedule_active(schedule: Schedule | None, timestamp: float) -> bool:
    """Is ``timestamp`` (epoch s) inside the schedule, in the machine's local time?

    A window that wraps midnight (start > end, e.g. 18:00–07:00) belongs to the day it *starts*: with
    ``days: [4]`` (Friday) it covers Friday 18:00 to Saturday 07:00. start == end means the whole day.
    """
    if schedule is None:
        return True
    now = dt.datetime.fromtimestamp(timestamp)
    minute = now.hour * 60 + now.minute
    start, end = _minutes(schedule.start), _minutes(schedule.end)
    today, yesterday = now.weekday(), (now.weekday() - 1) % 7
    if start == end:
        return today in schedule.days
    if start < end:
        return today in schedule.days and start <= minute < end
    return (today in schedule.days and minute >= start) or (yesterday in schedule.days and minute < end)


class FrameView:
    """One update's detections with cached per-zone / per-line geometry of their bottom-centre anchors."""

    def __init__(self, timestamp: float, detections: Detections) -> None:
        self.timestamp = timestamp
        self.detections = detections
        self.anchors = detections.anchors("bottom_center").astype(np.float64)
        n = len(detections)
        tids = detections.track_id
        self.track_ids = np.full(n, -1, np.int64) if tids is None else tids
        self._inside: dict[str, np.ndarray] = {}
        self._line: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def inside(self, zone: ZoneConfig) -> np.ndarray:
        if zone.name not in self._inside:
            self._inside[zone.name] = points_in_polygon(self.anchors, zone.points)
        return self._inside[zone.name]

    def line_geometry(self, line: LineConfig) -> tuple[np.ndarray, np.ndarray]:
        """(signed distance to the line, within the segment's extent) per detection."""
        if line.name not in self._line:
            self._line[line.name] = (
                side_of_line(self.anchors, line.a, line.b),
                within_segment_extent(self.anchors, line.a, line.b),
            )
        return self._line[line.name]

    def box(self, i: int) -> tuple[float, float, float, float]:
        x1, y1, x2, y2 = (float(v) for v in self.detections.xyxy[i])
        return (x1, y1, x2, y2)


class Rule:
    """Base of all rules. Subclasses implement :meth:`evaluate`; the base filters classes and schedule."""

    type: str = ""

    def __init__(self, camera_id: str, config: Any) -> None:
        self.camera_id = camera_id
        self.config = config
        self.name: str = config.name
        self.class_ids = np.array(sorted(class_id(c) for c in config.classes), np.int32)
        self._last_prune = float("-inf")

    def update(self, view: FrameView) -> list[Event]:
        """Evaluate the rule for one frame; outside its schedule it forgets its state and stays silent.

        Forgetting matters for intrusion: someone already inside when the schedule arms is reported.
        """
        if not schedule_active(self.config.schedule, view.timestamp):
            self.disarm()
            return []
        mask = np.isin(view.detections.class_id, self.class_ids)
        events = self.evaluate(view, np.flatnonzero(mask))
        if view.timestamp - self._last_prune >= 1.0:
            self.prune(view.timestamp)
            self._last_prune = view.timestamp
        return events

    def evaluate(self, view: FrameView, rows: np.ndarray) -> list[Event]:  # pragma: no cover - abstract
        """Rule logic on the rows of ``view`` that pass the class filter."""
        raise NotImplementedError

    def prune(self, now: float) -> None:
        """Drop state of tracks not seen for :data:`FORGET_AFTER_S` (default: no per-track state)."""

    def reset(self) -> None:
        """Forget all state (counts included)."""

    def disarm(self) -> None:
        """Outside the schedule: forget per-object state (counters, if any, are kept)."""
        self.reset()

    def stats(self) -> dict[str, Any] | None:
        """JSON-ready counters, or ``None`` for rules without any."""
        return None

    def event(self, view: FrameView, row: int | None, **attributes: Any) -> Event:
        """An event of this rule for detection ``row`` (or a zone-level event when ``row`` is None)."""
        det = view.detections
        if row is None:
            return Event(
                camera_id=self.camera_id,
                rule=self.name,
                type=self.type,
                start_time=view.timestamp,
                object_class=attributes.pop("object_class", None),
                box=attributes.pop("box", None),
                score=attributes.pop("score", None),
                attributes=attributes,
            )
        return Event(
            camera_id=self.camera_id,
            rule=self.name,
            type=self.type,
            start_time=view.timestamp,
            object_class=class_name(int(det.class_id[row])),
            track_id=int(view.track_ids[row]),
            box=view.box(row),
            score=float(det.confidence[row]),
            attributes=attributes,
        )


class TrackStates:
    """Per-track state dicts with last-seen times, pruned so memory stays bounded on endless streams."""

    def __init__(self) -> None:
        self.state: dict[int, dict[str, Any]] = {}

    def get(self, track_id: int, now: float, **initial: Any) -> dict[str, Any]:
        st = self.state.get(track_id)
        if st is None:
            st = self.state[track_id] = dict(initial)
        st["seen"] = now
        return st

    def prune(self, now: float, max_age: float = FORGET_AFTER_S) -> None:
        self.state = {k: v for k, v in self.state.items() if now - v["seen"] <= max_age}

    def clear(self) -> None:
        self.state.clear()

    def __len__(self) -> int:
        return len(self.state)


def tracked_rows(view: FrameView, rows: np.ndarray) -> np.ndarray:
    """Rows that carry a real track id (untracked or unconfirmed detections cannot enter or cross)."""
    return rows[view.track_ids[rows] >= 0]
