"""Running / speeding: a track in a zone moves faster than ``min_speed_mps`` on the ground for ``min_seconds``.

Speed is in metres per second on the ground plane, from the camera's ``calibration:`` (a homography, see
:mod:`anfang.analytics.calibration`); a camera without one rejects this rule at config load. Each track's
bottom-centre anchor is mapped to the ground and its speed is the displacement from the oldest position
in the last ``window_s`` seconds over that time — smoothed, so box jitter and one bad detection do not make
a walker run. It raises once per visit of the zone when the smoothed speed has stayed above the threshold
for ``min_seconds``. For people the default 3.0 m/s sits between brisk walking (~1.5–2 m/s) and jogging;
for vehicle speeding set ``classes`` and a threshold in m/s (50 km/h ≈ 13.9 m/s).
"""

from __future__ import annotations

from collections import deque
from typing import ClassVar, Literal

import numpy as np
from pydantic import Field

from anfang.analytics.base import FrameView, Rule, TrackStates, tracked_rows
from anfang.analytics.calibration import CalibrationConfig, Homography
from anfang.analytics.config import RuleBase, ZoneConfig
from anfang.events.model import Event
from anfang.plugins import register


class RunningRule(RuleBase):
    needs_calibration: ClassVar[bool] = True  # the camera config checks this; the engine passes it

    type: Literal["running"] = "running"
    zone: str
    min_speed_mps: float = Field(default=3.0, gt=0)  # ground speed above this is running / speeding
    min_seconds: float = Field(default=1.0, ge=0)  # held this long before raising
    window_s: float = Field(default=1.0, gt=0)  # speed is smoothed over this much track history


@register("rule", "running", RunningRule, title={"en": "Running / speeding", "zh": "奔跑/超速"}, order=9)
class RunningRuleImpl(Rule):
    type = "running"

    def __init__(
        self, camera_id: str, config: RunningRule, zone: ZoneConfig, calibration: CalibrationConfig | None = None
    ) -> None:
        super().__init__(camera_id, config)
        if calibration is None:
            raise ValueError(f"rule {config.name!r} (running) needs the camera's calibration")
        self.zone = zone
        self.cfg = config
        self.ground = Homography(calibration)
        self.tracks = TrackStates()

    def evaluate(self, view: FrameView, rows: np.ndarray) -> list[Event]:
        rows = tracked_rows(view, rows)
        rows = rows[view.inside(self.zone)[rows]]
        now, cfg = view.timestamp, self.cfg
        events: list[Event] = []
        if len(rows) == 0:
            return events
        ground = self.ground.to_ground(view.anchors[rows])
        for row, (gx, gy) in zip(rows.tolist(), ground.tolist(), strict=True):
            st = self.tracks.get(int(view.track_ids[row]), now, path=deque(), since=None, raised=False, last=now)
            path: deque[tuple[float, float, float]] = st["path"]
            if now - st["last"] > 1.0:  # away from the zone (or lost) for a while: a new visit
                path.clear()
                st["since"], st["raised"] = None, False
            st["last"] = now
            path.append((now, gx, gy))
            while len(path) > 2 and now - path[1][0] >= cfg.window_s:
                path.popleft()
            t0, x0, y0 = path[0]
            if now - t0 < cfg.window_s * 0.999:
                continue  # not a full window of history yet
            dist = float(np.hypot(gx - x0, gy - y0))
            speed = dist / (now - t0)
            if speed < cfg.min_speed_mps:
                st["since"] = None
                continue
            if st["since"] is None:
                st["since"] = now
            held = now - st["since"]
            if held >= cfg.min_seconds and not st["raised"]:
                st["raised"] = True
                events.append(
                    self.event(
                        view,
                        row,
                        zone=self.zone.name,
                        speed_mps=round(speed, 2),
                        speed_kmh=round(speed * 3.6, 1),
                        min_speed_mps=cfg.min_speed_mps,
                        held_s=round(held, 3),
                        moved_m=round(dist, 2),
                        explanation=(
                            f"speed {speed:.1f} m/s ({speed * 3.6:.0f} km/h) over {now - t0:.1f} s, above "
                            f"{cfg.min_speed_mps:g} m/s for {held:.1f} s in zone {self.zone.name!r}"
                        ),
                    )
                )
        return events

    def prune(self, now: float) -> None:
        self.tracks.prune(now)

    def reset(self) -> None:
        self.tracks.clear()
