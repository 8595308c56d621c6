"""Stopped vehicle: a vehicle whose box stays within ``max_displacement_px`` for ``min_seconds`` in a zone.

For no-stopping zones, fire lanes, tunnel and hard-shoulder monitoring. The rule remembers where each
track's anchor (bottom centre of the box) was when it last moved; while the anchor stays within
``max_displacement_px`` of that point the vehicle counts as stopped, so box jitter does not restart the
clock but creeping forward does. A gap in the track longer than :data:`MAX_GAP_S` or leaving the zone
starts afresh. One event per stop, with how long and how still it stood.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from pydantic import Field

from anfang.analytics.base import FrameView, Rule, TrackStates, tracked_rows
from anfang.analytics.config import RuleBase, ZoneConfig
from anfang.events.model import Event
from anfang.plugins import register

MAX_GAP_S = 2.0
VEHICLES = ["car", "bus", "truck", "motorcycle"]


class StoppedVehicleRule(RuleBase):
    type: Literal["stopped_vehicle"] = "stopped_vehicle"
    zone: str
    classes: list[str] = Field(default_factory=lambda: list(VEHICLES))
    min_seconds: float = Field(gt=0, examples=[30])
    max_displacement_px: float = Field(
        default=15.0, gt=0
    )  # moving less than this from where it stopped = still stopped


@register("rule", "stopped_vehicle", StoppedVehicleRule, title={"en": "Stopped vehicle", "zh": "违停"}, order=6)
class StoppedVehicleRuleImpl(Rule):
    type = "stopped_vehicle"

    def __init__(self, camera_id: str, config: StoppedVehicleRule, zone: ZoneConfig) -> None:
        super().__init__(camera_id, config)
        self.zone = zone
        self.min_seconds = config.min_seconds
        self.max_disp = config.max_displacement_px
        self.tracks = TrackStates()

    def evaluate(self, view: FrameView, rows: np.ndarray) -> list[Event]:
        rows = tracked_rows(view, rows)
        rows = rows[view.inside(self.zone)[rows]]
        now = view.timestamp
        events = []
        for row in rows.tolist():
            x, y = (float(v) for v in view.anchors[row])
            st = self.tracks.get(int(view.track_ids[row]), now, x0=x, y0=y, since=now, last=now, raised=False)
            moved = math.hypot(x - st["x0"], y - st["y0"])
            if moved > self.max_disp or now - st["last"] > MAX_GAP_S:  # moving (or a new visit): restart
                st.update(x0=x, y0=y, since=now, raised=False)
            st["last"] = now
            still = now - st["since"]
            if still >= self.min_seconds and not st["raised"]:
                st["raised"] = True
                events.append(
                    self.event(
                        view,
                        row,
                        zone=self.zone.name,
                        stopped_s=round(still, 3),
                        displacement_px=round(moved, 1),
                        explanation=(
                            f"stopped for {still:.0f} s in zone {self.zone.name!r} "
                            f"(moved {moved:.0f} px, at most {self.max_disp:.0f} px allowed)"
                        ),
                    )
                )
        return events

    def prune(self, now: float) -> None:
        self.tracks.prune(now)

    def reset(self) -> None:
        self.tracks.clear()
