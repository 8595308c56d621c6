"""Line-crossing state shared by the line-crossing and counting rules.

Semantics follow supervision's ``LineZone`` with a single anchor (the bottom centre):

* only anchors within the segment's extent (between the perpendiculars through a and b) take part;
* each track has a *settled* side, seeded by the first side it is seen on (no crossing for that);
* a crossing is counted when the anchor is seen on the other side than the settled one, which then
  becomes the new settled side — so crossing back and forth counts each real crossing once;
* anchors within :data:`DEAD_BAND_PX` of the line are "on the line" and change nothing, so a track jittering
  on the line counts at most once (supervision skips boxes straddling the line for the same reason).

Direction convention: ``a_to_b`` is a move from the *left* of the directed line a→b to its *right*, as seen
on screen (y down) — i.e. the direction a→b turned a quarter turn clockwise. For a line drawn left to right
(a at left, b at right), ``a_to_b`` is walking *down* the image. supervision's ``in`` is our ``b_to_a``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from anfang.analytics.base import FrameView, Rule, TrackStates, tracked_rows
from anfang.analytics.config import LineConfig
from anfang.core.taxonomy import class_name

DEAD_BAND_PX = 2.0


@dataclass(frozen=True)
class Crossing:
    row: int  # detection row in the frame
    direction: str  # "a_to_b" | "b_to_a"


class LineCrosser:
    """Per-track settled sides of one line; ``update`` returns this frame's crossings."""

    def __init__(self, line: LineConfig) -> None:
        self.line = line
        self.tracks = TrackStates()

    def update(self, view: FrameView, rows: np.ndarray) -> list[Crossing]:
        rows = tracked_rows(view, rows)
        dist, in_extent = view.line_geometry(self.line)
        usable = rows[in_extent[rows] & (np.abs(dist[rows]) > DEAD_BAND_PX)]
        sides = np.sign(dist[usable]).astype(int)
        out = []
        for row, side in zip(usable.tolist(), sides.tolist(), strict=True):
            st = self.tracks.get(int(view.track_ids[row]), view.timestamp, side=side)
            if side != st["side"]:
                out.append(Crossing(row, "a_to_b" if side > 0 else "b_to_a"))
                st["side"] = side
        # Tracks seen off the line's extent are still alive: refresh them so they are not forgotten early.
        for tid in view.track_ids[np.setdiff1d(rows, usable)].tolist():
            if tid in self.tracks.state:
                self.tracks.state[tid]["seen"] = view.timestamp
        return out

    def prune(self, now: float) -> None:
        self.tracks.prune(now)

    def reset(self) -> None:
        self.tracks.clear()


class DirectionCounts:
    """a_to_b / b_to_a counts per class name, JSON-ready."""

    def __init__(self) -> None:
        self.counts: dict[str, dict[str, int]] = {"a_to_b": {}, "b_to_a": {}}

    def add(self, direction: str, cls: str) -> int:
        per = self.counts[direction]
        per[cls] = per.get(cls, 0) + 1
        return per[cls]

    def total(self, direction: str) -> int:
        return sum(self.counts[direction].values())

    def reset(self) -> None:
        self.counts = {"a_to_b": {}, "b_to_a": {}}


class LineRule(Rule):
    """What the line-crossing and counting rules share: a :class:`LineCrosser` on one line, counts of the
    crossings in both directions per class (``stats``: ``in`` = a_to_b, ``out`` = b_to_a), and its resets."""

    def __init__(self, camera_id: str, config: Any, line: LineConfig) -> None:
        super().__init__(camera_id, config)
        self.line = line
        self.crosser = LineCrosser(line)
        self.counts = DirectionCounts()  # crossings in *both* directions, for the dashboard

    def crossings(self, view: FrameView, rows: np.ndarray) -> Iterator[Crossing]:
        """This frame's crossings, each counted (per direction and class) before it is yielded."""
        for c in self.crosser.update(view, rows):
            self.counts.add(c.direction, class_name(int(view.detections.class_id[c.row])))
            yield c

    def prune(self, now: float) -> None:
        self.crosser.prune(now)

    def disarm(self) -> None:
        self.crosser.reset()  # keep the counts, forget sides (no crossing spans a schedule gap)

    def reset(self) -> None:
        self.crosser.reset()
        self.counts.reset()

    def stats(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "line": self.line.name,
            "in": dict(self.counts.counts["a_to_b"]),
            "out": dict(self.counts.counts["b_to_a"]),
        }
