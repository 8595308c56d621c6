"""Crash recovery (orphaned segment files re-indexed at start-up) and the hourly retention sweep."""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from anfang.recording.config import RecordingConfig
from anfang.recording.index import Segment, SegmentIndex
from anfang.recording.sweep import Sweeper, reindex_orphans
from anfang.recording.writer import MOVFLAGS, segment_relpath
from anfang.store.migrate import upgrade

START = 1_700_000_000.0


def index_in(tmp_path: Path) -> SegmentIndex:
    engine = create_engine(f"sqlite:///{tmp_path / 'rec.db'}")
    upgrade(engine)
    return SegmentIndex(engine)


def write_segment(root: Path, camera: str, start: float, seconds: float = 3.0) -> str:
    """A fragmented MP4 segment like the writer's (10 fps H.264), named by its start time."""
    rel = segment_relpath(camera, start)
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=10", "-t",
                    str(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-bf", "0", "-g", "10",
                    "-movflags", MOVFLAGS["movflags"], str(root / rel)], check=True)
    return rel


def test_orphans_are_reindexed_and_broken_files_removed(tmp_path: Path) -> None:
    index, root = index_in(tmp_path), tmp_path / "recordings"
    listed = write_segment(root, "cam", START)
    index.add(Segment("cam", START, START + 3.0, listed, (root / listed).stat().st_size, "h264", 30))
    orphan = write_segment(root, "cam", START + 3.0, seconds=2.0)  # the segment open when the process died
    broken = segment_relpath("cam", START + 5.0)
    (root / broken).write_bytes(b"\x00\x00\x00\x18ftypisom" + b"\x00" * 100)  # killed before any fragment
    found = reindex_orphans(index, root, older_than=time.time() + 1)
    assert [s.path for s in found] == [orphan]
    seg = index.get("cam", round((START + 3.0) * 1000))
    assert seg is not None and seg.frames == 20 and seg.codec == "h264"
    assert seg.start == pytest.approx(START + 3.0) and seg.end == pytest.approx(START + 5.0)
    assert not (root / broken).exists()
    assert len(index.query("cam")) == 2  # the listed one is not duplicated
    assert reindex_orphans(index, root, older_than=time.time() + 1) == []  # idempotent


def test_files_written_by_this_process_are_left_alone(tmp_path: Path) -> None:
    index, root = index_in(tmp_path), tmp_path / "recordings"
    write_segment(root, "cam", START)
    assert reindex_orphans(index, root, older_than=time.time() - 60) == []  # newer than start-up: being written
    assert index.query("cam") == []


def test_sweep_applies_retention_without_budget_pressure(tmp_path: Path) -> None:
    index, root = index_in(tmp_path), tmp_path / "recordings"
    now = START + 30 * 86400
    old = write_segment(root, "cam", START, seconds=1.0)
    new = write_segment(root, "cam", now - 3600, seconds=1.0)
    for start, rel in ((START, old), (now - 3600, new)):
        index.add(Segment("cam", start, start + 1.0, rel, (root / rel).stat().st_size, "h264", 10))
    cfgs = {"cam": RecordingConfig(mode="continuous", retention_days=7), "idle": RecordingConfig()}
    sweeper = Sweeper(index, root, lambda: cfgs, clock=lambda: now)  # no quota set: only age can trigger
    freed = sweeper.sweep()
    assert freed > 0 and [s.path for s in index.query("cam")] == [new]
    assert not (root / old).exists() and (root / new).exists()


def test_sweeper_thread_scans_then_sweeps_on_its_timer(tmp_path: Path) -> None:
    index, root = index_in(tmp_path), tmp_path / "recordings"
    write_segment(root, "cam", START, seconds=1.0)  # an orphan from a "previous run", long expired
    swept = threading.Event()
    calls: list[int] = []

    def configs() -> dict[str, RecordingConfig]:
        calls.append(1)
        if len(calls) >= 2:  # the timer fired again after the first sweep
            swept.set()
        return {"cam": RecordingConfig(mode="continuous", retention_days=1)}

    sweeper = Sweeper(index, root, configs, interval_s=0.05, clock=lambda: START + 10 * 86400)
    sweeper.started_at = time.time() + 1  # the file predates this "process"
    sweeper.start()
    try:
        assert swept.wait(30), "sweeper did not run twice"
    finally:
        sweeper.stop()
    assert len(sweeper.orphans) == 1  # re-indexed first ...
    assert index.query("cam") == []  # ... then expired by the sweep
