"""The free-space policy every writer of the data dir consults: what to stop writing, in which order.

Why one object: recordings, record pictures, event pictures, record rows and event rows all share one
disk. Each used to decide alone (only recordings checked free space), so on a full disk the pictures
kept eating the last megabytes and then the database could not take the event rows any more: events
were counted, logged and lost. Here one :class:`DiskGuard` samples ``statvfs`` of the data dir (at most
every ``check_interval_ms``, so a writer's check costs a clock read) and maps the free space to a
:class:`Level`. Writers stop in this order as space shrinks (largest and least important first):

1. recordings (``recordings_mb``), 2. record pictures (``record_pictures_mb``),
3. event pictures (``event_pictures_mb``), 4. record rows (``reserve_mb``: the database's reserve).

Event rows are never refused: below ``reserve_mb`` only they (and alarms and audit entries, which are
rows too) may use the space left, so the database can still write them. If even the database fails
(``database or disk is full``), the event store keeps the rows in a bounded in-memory backlog and writes
them as soon as space is back (:data:`Level.FULL`).

Every level change is announced once as a system alarm (``disk_low`` / ``disk_full``, the team's system
alarm contract) through the platform sink, from the guard's own thread (a writer that notices the change
never stores an event from inside its own write), and a ``resolved`` one when space is back.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from enum import IntEnum, StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from anfang.events.model import Event

log = logging.getLogger(__name__)

MB = 1024 * 1024


class SpaceConfig(BaseModel):
    """``store.space``: free-space thresholds (MiB of free space on the data dir's filesystem).

    Defaults suit a recorder's disk: recordings stop 2 GiB before the end, the database keeps 256 MiB
    for itself. Each threshold must be at least the next one (the order of the policy).
    """

    model_config = ConfigDict(extra="forbid")

    check_interval_ms: int = Field(default=1000, ge=10, le=60_000)  # statvfs at most this often
    recordings_mb: float = Field(default=2048, ge=0)  # below: recordings pause
    record_pictures_mb: float = Field(default=1024, ge=0)  # below: records are stored without pictures
    event_pictures_mb: float = Field(default=512, ge=0)  # below: events are stored without pictures
    reserve_mb: float = Field(default=256, ge=0)  # below: no record rows; the rest is for event rows
    backlog: int = Field(default=10_000, ge=0)  # events kept in memory while the database cannot write

    @model_validator(mode="after")
    def _ordered(self) -> SpaceConfig:
        order = ("recordings_mb", "record_pictures_mb", "event_pictures_mb", "reserve_mb")
        for high, low in zip(order, order[1:], strict=False):
            if getattr(self, high) < getattr(self, low):
                raise ValueError(f"{high} ({getattr(self, high):g}) must be at least {low} ({getattr(self, low):g})")
        return self


class Level(IntEnum):
    """How degraded storage is; each level also stops everything the lower ones stop."""

    OK = 0
    RECORDINGS_PAUSED = 1
    RECORD_PICTURES_PAUSED = 2
    PICTURES_PAUSED = 3
    RESERVE = 4  # only event rows (and alarms, audit) write
    FULL = 5  # the database itself failed to write: events wait in memory


class Writer(StrEnum):
    RECORDINGS = "recordings"
    RECORD_PICTURES = "record_pictures"
    EVENT_PICTURES = "event_pictures"
    RECORD_ROWS = "record_rows"
    EVENT_ROWS = "event_rows"


# The level from which each writer is stopped (event rows: never by the guard, only by the database).
STOPS_AT = {
    Writer.RECORDINGS: Level.RECORDINGS_PAUSED,
    Writer.RECORD_PICTURES: Level.RECORD_PICTURES_PAUSED,
    Writer.EVENT_PICTURES: Level.PICTURES_PAUSED,
    Writer.RECORD_ROWS: Level.RESERVE,
}

_TEXT = {
    Level.OK: "ok",
    Level.RECORDINGS_PAUSED: "degraded — recordings paused",
    Level.RECORD_PICTURES_PAUSED: "degraded — recordings and record pictures paused",
    Level.PICTURES_PAUSED: "degraded — recordings and pictures paused",
    Level.RESERVE: "critical — only event rows are stored (database reserve)",
    Level.FULL: "full — the database cannot write; events are held in memory",
}


def alarm_type(level: Level) -> str | None:
    if level >= Level.RESERVE:
        return "disk_full"
    return None if level == Level.OK else "disk_low"


def severity(level: Level) -> str:
    return {Level.OK: "info", Level.RECORDINGS_PAUSED: "minor", Level.RECORD_PICTURES_PAUSED: "major",
            Level.PICTURES_PAUSED: "major"}.get(level, "critical")


def is_disk_full(err: BaseException) -> bool:
    """An error that means "no space": ENOSPC/EDQUOT from the OS, SQLITE_FULL from the database."""
    import errno

    if isinstance(err, OSError) and err.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    text = str(err).lower()
    return "disk is full" in text or "no space left" in text or "disk quota" in text


class DiskGuard:
    """The policy (module docstring) over the filesystem of ``path``; safe to call from every thread.

    ``statvfs`` is injectable for the level arithmetic's unit tests; the platform uses the real one.
    """

    def __init__(
        self,
        path: Path,
        config: SpaceConfig | None = None,
        statvfs: Callable[[str], os.statvfs_result] = os.statvfs,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.path = Path(path)
        self.config = config if config is not None else SpaceConfig()
        self._statvfs = statvfs
        self._clock = clock
        self._lock = threading.Lock()
        self._sampled_at = -float("inf")
        self._free = 0
        self._total = 0
        self._level = Level.OK
        self._db_full = False  # a database write failed for space and none has succeeded since
        self._since = time.time()
        self._refused: dict[str, int] = {w.value: 0 for w in Writer}
        self._announced = Level.OK
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._notify: Callable[[Event], None] | None = None
        self.backlog: Callable[[], int] = lambda: 0  # events waiting in memory (the event store sets it)
        self.on_tick: list[Callable[[], object]] = []  # run on the guard's thread each check (backlog flush)

    # ------------------------------------------------------------ sampling

    def _sample(self, force: bool = False) -> None:
        now = self._clock()
        with self._lock:
            if not force and now - self._sampled_at < self.config.check_interval_ms / 1000.0:
                return
            self._sampled_at = now
        try:
            st = self._statvfs(str(self.path))
            free, total = st.f_bavail * st.f_frsize, st.f_blocks * st.f_frsize
        except OSError:
            log.exception("free space of %s unknown; keeping the last sample", self.path)
            return
        with self._lock:
            self._free, self._total = free, total
            self._set_level(self._compute(free))

    def _compute(self, free: int) -> Level:
        cfg = self.config
        if self._db_full:
            return Level.FULL
        for level, mb in ((Level.RESERVE, cfg.reserve_mb), (Level.PICTURES_PAUSED, cfg.event_pictures_mb),
                          (Level.RECORD_PICTURES_PAUSED, cfg.record_pictures_mb),
                          (Level.RECORDINGS_PAUSED, cfg.recordings_mb)):
            if free < mb * MB:
                return level
        return Level.OK

    def _set_level(self, level: Level) -> None:  # under the lock
        if level != self._level:
            log.log(logging.WARNING if level > self._level else logging.INFO,
                    "storage: %s (%.1f MiB free on %s)", _TEXT[level], self._free / MB, self.path)
            self._level, self._since = level, time.time()
            self._wake.set()

    def free_bytes(self) -> int:
        """Free bytes on the data dir's filesystem (sampled at most every ``check_interval_ms``)."""
        self._sample()
        return self._free

    def level(self) -> Level:
        self._sample()
        return self._level

    def allows(self, writer: Writer) -> bool:
        """Whether ``writer`` may write now; a refusal is counted (shown on the system page)."""
        stops = STOPS_AT.get(writer)
        if stops is None or self.level() < stops:
            return True
        with self._lock:
            self._refused[writer.value] += 1
        return False

    def why(self, writer: Writer) -> str:
        """One line for a writer's log / status: why it is paused."""
        return f"{_TEXT[self._level]} ({self._free / MB:.1f} MiB free, {writer.value} stop below " \
               f"{self._threshold_mb(writer):g} MiB)"

    def _threshold_mb(self, writer: Writer) -> float:
        cfg = self.config
        return {Writer.RECORDINGS: cfg.recordings_mb, Writer.RECORD_PICTURES: cfg.record_pictures_mb,
                Writer.EVENT_PICTURES: cfg.event_pictures_mb, Writer.RECORD_ROWS: cfg.reserve_mb}.get(writer, 0.0)

    # ------------------------------------------------------------ database outcome

    def db_write_failed(self) -> None:
        """The database refused a write for lack of space: FULL until a write succeeds again."""
        with self._lock:
            if not self._db_full:
                self._db_full = True
                self._set_level(Level.FULL)

    def db_write_ok(self) -> None:
        with self._lock:
            if not self._db_full:
                return
            self._db_full = False
            self._set_level(self._compute(self._free))
        self._sample(force=True)

    # ------------------------------------------------------------ what the operator sees

    def status_line(self) -> str:
        """``ok`` or e.g. ``degraded — recordings and pictures paused`` (camera status, system page)."""
        return _TEXT[self.level()]

    def state(self) -> dict[str, Any]:
        """The whole picture for ``/api/system``."""
        level = self.level()
        cfg = self.config
        with self._lock:
            refused = dict(self._refused)
        return {
            "level": level.name.lower(),
            "state": _TEXT[level],
            "severity": severity(level),
            "since": self._since,
            "path": str(self.path),
            "free": self._free,
            "total": self._total,
            "paused": [w.value for w, at in STOPS_AT.items() if level >= at],
            "refused": refused,
            "backlog": self.backlog(),
            "thresholds_mb": {"recordings": cfg.recordings_mb, "record_pictures": cfg.record_pictures_mb,
                              "event_pictures": cfg.event_pictures_mb, "reserve": cfg.reserve_mb},
        }

    # ------------------------------------------------------------ alarms (the guard's own thread)

    def start(self, notify: Callable[[Event], None]) -> None:
        """Watch the disk and announce level changes through ``notify`` (the platform sink)."""
        if self._thread is not None:
            return
        self._notify = notify
        self._stop.clear()
        self._sample(force=True)
        self._thread = threading.Thread(target=self._run, name="anfang-disk-guard", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(10.0)
            self._thread = None

    def _run(self) -> None:
        interval = self.config.check_interval_ms / 1000.0
        while not self._stop.is_set():
            self.tick()
            self._wake.wait(interval)
            self._wake.clear()

    def tick(self) -> None:
        """One check: sample, let the backlog flush, announce a level change (once per change)."""
        self._sample(force=True)
        for hook in self.on_tick:
            try:
                hook()
            except Exception:
                log.exception("storage: a free-space hook failed")
        level = self.level()
        if level == self._announced or self._notify is None:
            return
        previous, self._announced = self._announced, level
        old_type, new_type = alarm_type(previous), alarm_type(level)
        if old_type is not None and old_type != new_type:
            self._notify(self._alarm(previous, resolved=True))
        if new_type is not None:
            self._notify(self._alarm(level, resolved=False))

    def _alarm(self, level: Level, resolved: bool) -> Event:
        free_mb = self._free / MB
        if resolved:
            message = f"disk space is back ({free_mb:.0f} MiB free): {_TEXT[self._level]}"
        else:
            message = f"disk space low on {self.path} ({free_mb:.1f} MiB free): {_TEXT[level]}"
        return Event(
            camera_id="system",
            rule="system",
            type=alarm_type(level) or "disk_low",
            start_time=time.time(),
            attributes={
                "message": message,
                "severity": "info" if resolved else severity(level),
                "resolved": resolved,
                "level": self._level.name.lower(),
                "free_bytes": self._free,
                "paused": [w.value for w, at in STOPS_AT.items() if self._level >= at],
            },
        )
