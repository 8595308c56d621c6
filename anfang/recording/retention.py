"""Retention: delete recordings older than ``retention_days``, then oldest first down to a byte budget.

The index row goes first, then the file: a segment is never listed without its file (a crash between
the two leaves an orphan file, which costs disk but never a broken playback).
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

from anfang.recording.config import RecordingConfig
from anfang.recording.index import SegmentIndex
from anfang.security.media import MediaPolicy


def _delete(index: SegmentIndex, root: Path, camera_id: str, rel: str) -> None:
    index.remove(camera_id, rel)
    path = root / rel
    MediaPolicy.remove(path)  # the segment and its signature sidecar
    with contextlib.suppress(OSError):  # remove the day folder once it is empty
        path.parent.rmdir()


def enforce_retention(index: SegmentIndex, root: Path, camera_id: str, cfg: RecordingConfig,
                      now: float | None = None, keep_bytes: int | None = None) -> int:
    """Delete expired segments, then the oldest until the camera uses at most ``keep_bytes``.

    Returns the bytes freed. ``keep_bytes`` defaults to the configured quota (no byte limit without one).
    """
    now = time.time() if now is None else now
    cutoff = now - cfg.retention_days * 86400.0
    if keep_bytes is None and cfg.max_disk_gb is not None:
        keep_bytes = int(cfg.max_disk_gb * 1024**3)
    freed = 0
    total = index.total_bytes(camera_id)
    while True:
        batch = index.oldest(camera_id, limit=200)
        if not batch:
            break
        progressed = False
        for seg in batch:
            expired = seg.end < cutoff
            over = keep_bytes is not None and total > keep_bytes
            if not (expired or over):
                return freed
            _delete(index, root, camera_id, seg.path)
            freed += seg.bytes
            total -= seg.bytes
            progressed = True
        if not progressed:
            break
    return freed
