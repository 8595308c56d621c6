"""One camera's health over time: persistence, alarms and their clearing, and a bounded history.

A single bad check is not an alarm (a bus passing close to the lens looks like occlusion for a moment):
a defect raises a system alarm only after ``persist_checks`` checks in a row, and clears after
``clear_checks`` clean ones. Raising and clearing are both events through the platform sink (the team's
system-alarm contract: ``rule="system"``, ``type="quality_<defect>"``, a one-line message and a severity;
the clearing is ``type="quality_<defect>_cleared"`` with severity ``info`` and the raising event's id), so
both are durable in the event store; the per-check history here is in memory, for the console.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from anfang.events.model import Event
from anfang.quality.config import Defect, QualityConfig
from anfang.quality.diagnose import Diagnoser, Diagnosis

SEVERITY: dict[Defect, str] = {
    "signal_loss": "critical",
    "frozen": "critical",
    "occlusion": "major",
    "scene_change": "major",
    "blur": "major",
    "dark": "minor",
    "bright": "minor",
    "colour_cast": "minor",
    "noise": "minor",
    "stripes": "minor",
}
WORDS: dict[Defect, str] = {
    "signal_loss": "no picture (signal loss)",
    "frozen": "picture frozen",
    "occlusion": "view occluded or covered",
    "scene_change": "camera moved or turned",
    "blur": "picture out of focus / blurred",
    "dark": "picture too dark",
    "bright": "picture too bright",
    "colour_cast": "colour cast",
    "noise": "picture noisy",
    "stripes": "stripe / rolling interference",
}


@dataclass
class Active:
    """A raised alarm: since when the defect has been seen, and the raising event's id."""

    since: float
    event_id: str
    score: float


class CameraHealth:
    """Thread-safe: checks come from the camera thread, offline marks from the watchdog, reads from the API."""

    def __init__(self, camera_id: str, name: str | None, config: QualityConfig) -> None:
        self.camera_id = camera_id
        self.name = name
        self.config = config
        self.diagnoser = Diagnoser(config)
        self.history: deque[dict[str, Any]] = deque(maxlen=config.history)
        self.streak: dict[Defect, int] = {}
        self.first_seen: dict[Defect, float] = {}
        self.clean: dict[Defect, int] = {}
        self.active: dict[Defect, Active] = {}
        self.last_check: float | None = None  # frame time of the last check
        self.last_seen: float | None = None  # wall clock of the last frame (the watchdog's measure)
        self.last: Diagnosis | None = None
        self.running = False
        self._lock = threading.Lock()

    def reconfigure(self, name: str | None, config: QualityConfig) -> None:
        """A camera restarted with new settings: keep the alarms, rebuild the checker if settings changed."""
        with self._lock:
            self.name = name
            if config != self.config:
                self.config = config
                self.diagnoser = Diagnoser(config)
                self.history = deque(self.history, maxlen=config.history)

    def due(self, ts: float) -> bool:
        last = self.last_check
        return last is None or ts < last or ts - last >= self.config.interval_s

    def check(self, image: Any, ts: float, online: bool) -> list[Event]:
        """Run the checks on one frame and return the alarm / clearing events they cause."""
        with self._lock:
            self.last_check = ts
            diagnosis = self.diagnoser.check(image, ts, online=online)
            self.last = diagnosis
            self.history.append(
                {
                    "at": ts,
                    "ms": round(diagnosis.ms, 2),
                    "baselined": diagnosis.baselined,
                    "defects": diagnosis.defects,
                    "results": {d: r.to_dict() for d, r in diagnosis.results.items()},
                }
            )
            seen = {d: r.score for d, r in diagnosis.results.items() if r.defect}
            # only what was judged can clear: on a uniform frame the other checks are skipped, not clean
            return self._update(seen, set(diagnosis.results), ts, diagnosis.results)

    def offline(self, now: float, reason: str) -> list[Event]:
        """The source delivers nothing: one signal-loss observation (called by the watchdog per period)."""
        with self._lock:
            self.history.append(
                {"at": now, "ms": 0.0, "baselined": False, "defects": ["signal_loss"], "offline": reason}
            )
            return self._update({"signal_loss": 1.0}, {"signal_loss"}, now, {}, reason)

    def _update(
        self, seen: dict[Defect, float], judged: set[Defect], ts: float, results: dict[Defect, Any], reason: str = ""
    ) -> list[Event]:
        events: list[Event] = []
        cfg = self.config
        for d, score in seen.items():
            self.clean[d] = 0
            self.streak[d] = self.streak.get(d, 0) + 1
            self.first_seen.setdefault(d, ts)
            if self.streak[d] >= cfg.persist_checks and d not in self.active:
                since = self.first_seen[d]
                detail = results[d].detail if d in results else {"reason": reason}
                event = self._event(d, f"quality_{d}", SEVERITY[d], ts, score, since, detail, reason)
                self.active[d] = Active(since, event.id, score)
                events.append(event)
            elif d in self.active:
                self.active[d].score = score
        for d in judged - seen.keys():
            self.streak[d] = 0
            self.first_seen.pop(d, None)
            if d in self.active:
                self.clean[d] = self.clean.get(d, 0) + 1
                if self.clean[d] >= cfg.clear_checks:
                    gone = self.active.pop(d)
                    event = self._event(d, f"quality_{d}_cleared", "info", ts, 0.0, gone.since, {}, "")
                    event.attributes["cleared_event_id"] = gone.event_id
                    event.attributes["duration_s"] = round(ts - gone.since, 1)
                    event.end_time = ts
                    events.append(event)
        return events

    def _event(
        self,
        defect: Defect,
        kind: str,
        severity: str,
        ts: float,
        score: float,
        since: float,
        detail: dict[str, Any],
        reason: str,
    ) -> Event:
        label = self.name or self.camera_id
        what = WORDS[defect] + (f" ({reason})" if reason else "")
        message = f"camera {label}: {what}" if severity != "info" else f"camera {label}: {WORDS[defect]} cleared"
        return Event(
            camera_id=self.camera_id,
            rule="system",
            type=kind,
            start_time=time.time(),
            score=round(float(score), 4),
            attributes={"message": message, "severity": severity, "defect": defect, "since": since, "detail": detail},
        )

    def summary(self) -> dict[str, Any]:
        """What the API and the site report show for this camera."""
        with self._lock:
            last = self.last
            return {
                "camera_id": self.camera_id,
                "name": self.name,
                "status": _status(self.active),
                "needs_technician": bool(self.active),
                "active": {
                    d: {"since": a.since, "severity": SEVERITY[d], "score": round(a.score, 4), "event_id": a.event_id}
                    for d, a in self.active.items()
                },
                "last_check": last.at if last is not None else None,
                "last_ms": round(last.ms, 2) if last is not None else None,
                "baselined": last.baselined if last is not None else False,
                "results": {d: r.to_dict() for d, r in last.results.items()} if last is not None else {},
            }

    def recent(self, limit: int) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.history)[-limit:]


def _status(active: dict[Defect, Active]) -> str:
    if not active:
        return "ok"
    return "critical" if any(SEVERITY[d] == "critical" for d in active) else "degraded"
