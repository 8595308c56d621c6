"""Housekeeping that does not wait for the disk to fill: crash recovery at start-up and an hourly retention sweep.

* **Orphans**: a segment's index row is written only after its file is closed, so a crash or kill -9 leaves
  the segment being written on disk but unlisted (fragmented MP4: playable up to its last fragment). At
  start-up every ``*.mp4`` under the recordings folder that the index does not know and that is older than
  this process is probed with PyAV and indexed (start from its file name, end from its last frame); a file
  with no decodable frame is deleted.
* **Sweep**: the writer enforces retention only when a camera is over its budget; a camera with plenty of
  disk would keep footage beyond ``retention_days`` forever. The sweeper runs retention for every
  configured camera once an hour (and once right after the orphan scan).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

import av

from anfang.recording.config import RecordingConfig
from anfang.recording.index import Segment, SegmentIndex
from anfang.recording.retention import enforce_retention

log = logging.getLogger(__name__)

SWEEP_S = 3600.0


def probe_segment(root: Path, rel: str) -> Segment | None:
    """The index row of a segment file found on disk, or ``None`` when nothing in it decodes."""
    path = root / rel
    camera_id = rel.split("/", 1)[0]
    try:
        start = int(path.stem) / 1000.0
    except ValueError:
        return None
    frames, last_end, codec = 0, 0.0, ""
    try:
        with av.open(str(path)) as c:
            stream = c.streams.video[0]
            codec = stream.codec_context.name
            rate = float(stream.average_rate or stream.guessed_rate or 10)
            for pkt in c.demux(stream):
                if pkt.pts is None or not pkt.size:
                    continue
                frames += 1
                dur = float(pkt.duration * pkt.time_base) if pkt.duration else 1.0 / rate
                last_end = max(last_end, float(pkt.pts * pkt.time_base) + dur)
    except (av.error.FFmpegError, IndexError, OSError) as exc:
        log.info("recordings: %s is not a playable segment (%s)", rel, exc)
        return None
    if frames == 0:
        return None
    return Segment(camera_id, start, start + last_end, rel, path.stat().st_size, codec, frames)


def reindex_orphans(index: SegmentIndex, root: Path, older_than: float) -> list[Segment]:
    """Index segment files the index lacks (modified before ``older_than``); delete unplayable ones."""
    if not root.is_dir():
        return []
    found: list[Segment] = []
    known: dict[str, set[str]] = {}
    for path in sorted(root.glob("*/*/*.mp4")):
        rel = path.relative_to(root).as_posix()
        camera_id = rel.split("/", 1)[0]
        if camera_id not in known:
            known[camera_id] = index.paths(camera_id)
        if rel in known[camera_id] or path.stat().st_mtime >= older_than:
            continue  # listed, or being written by this process
        seg = probe_segment(root, rel)
        if seg is None:
            path.unlink(missing_ok=True)
            continue
        index.add(seg)
        found.append(seg)
        log.warning("recordings: re-indexed orphaned segment %s (%.1f s, %d frames)", rel, seg.end - seg.start,
                    seg.frames)
    return found


class Sweeper:
    """Daemon thread: orphan scan once, then retention for every configured camera every ``interval_s``."""

    def __init__(self, index: SegmentIndex, root: Path, configs: Callable[[], dict[str, RecordingConfig]],
                 interval_s: float = SWEEP_S, clock: Callable[[], float] = time.time) -> None:
        self.index = index
        self.root = root
        self.configs = configs
        self.interval_s = interval_s
        self.clock = clock
        self.started_at = clock()
        self.sweeps = 0
        self.orphans: list[Segment] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="anfang-rec-sweep", daemon=True)

    def start(self) -> Sweeper:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def sweep(self) -> int:
        """Retention for every configured camera that records; returns the bytes freed."""
        freed = 0
        for camera_id, cfg in self.configs().items():
            if cfg.mode != "off":
                freed += enforce_retention(self.index, self.root, camera_id, cfg, now=self.clock())
        self.sweeps += 1
        return freed

    def _run(self) -> None:
        try:
            self.orphans = reindex_orphans(self.index, self.root, self.started_at)
        except Exception:
            log.exception("recordings: orphan scan failed")
        while not self._stop.is_set():
            try:
                freed = self.sweep()
                if freed:
                    log.info("recordings: retention sweep freed %.1f MB", freed / 1e6)
            except Exception:
                log.exception("recordings: retention sweep failed")
            self._stop.wait(self.interval_s)
