"""The full disk (issue 15, item 4), on a real 30 MiB filesystem: the tester's run, made a test.

The data dir lives on a tmpfs of 30 MiB (as root the test mounts it; otherwise it re-runs itself inside a
user + mount namespace, where an unprivileged user may mount tmpfs). A ballast file fills the disk step by
step while a real file camera (vtest.avi, HOG, an intrusion rule over the whole frame, continuous
recording) runs, and the free-space policy must stop writers in its stated order, raise ``disk_low`` /
``disk_full`` system alarms once per level, show the state on the camera status and ``/api/system``, and
lose no event row: every event published on the bus is in the database at the end.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from anfang.config.models import AppConfig
from anfang.events.model import Event
from anfang.platform import Platform
from anfang.store.space import MB, DiskGuard, Level, SpaceConfig, Writer
from anfang.structuring.store import RecordStore
from anfang.vision.hog import HogDetector

SIZE = "30m"
IN_NAMESPACE = "ANFANG_TEST_IN_USERNS"
SPACE = {"recordings_mb": 16, "record_pictures_mb": 12, "event_pictures_mb": 8, "reserve_mb": 4,
         "check_interval_ms": 100}


@pytest.fixture
def small_disk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path | None]:
    """A fresh 30 MiB tmpfs; ``None`` when the test already ran (and passed) inside a user namespace."""
    if os.geteuid() != 0:
        unshare = shutil.which("unshare")
        if unshare is None:
            pytest.fail("not root and no `unshare` (util-linux): cannot mount the small filesystem")
        env = {**os.environ, IN_NAMESPACE: "1"}
        run = subprocess.run(
            [unshare, "--user", "--map-root-user", "--mount", sys.executable, "-m", "pytest", "-q", "-x",
             "-p", "no:cacheprovider", request.node.nodeid],
            cwd=request.config.rootpath, env=env, capture_output=True, text=True, timeout=900,
        )
        assert run.returncode == 0, f"in a user namespace:\n{run.stdout[-6000:]}\n{run.stderr[-3000:]}"
        yield None
        return
    mount = tmp_path / "disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={SIZE}", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def free(path: Path) -> int:
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize


def fill(ballast: Path, leave: int) -> None:
    """Grow ``ballast`` until about ``leave`` bytes are free (0: until the filesystem says no)."""
    chunk = b"\xa5" * (256 * 1024)
    with open(ballast, "ab") as fh:
        try:
            while True:
                room = free(ballast.parent) - leave
                if room <= 0:
                    break
                fh.write(chunk[: min(len(chunk), room)])
                fh.flush()
        except OSError:
            if leave:
                raise


def wait_for(what: str, cond: Callable[[], bool], timeout: float = 240.0) -> None:
    deadline = time.monotonic() + timeout  # a generous cap on a shared machine, not a timing assertion
    while not cond():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def config(data: Path, video: Path | None = None, **extra: object) -> AppConfig:
    cameras = []
    if video is not None:
        cameras.append({
            "id": "campus",
            "source": {"type": "file", "path": str(video), "loop": True, "realtime": False},
            "detect_fps": 2,
            "zones": [{"name": "all", "points": [[0, 0], [768, 0], [768, 576], [0, 576]]}],
            "rules": [{"type": "intrusion", "name": "walkers", "zone": "all", "classes": ["person"]}],
            "recording": {"mode": "continuous", "segment_s": 2, "min_free_gb": 0},
        })
    return AppConfig.model_validate(
        {"data_dir": str(data), "detector": {"type": "hog"}, "store": {"space": SPACE}, "cameras": cameras, **extra}
    )


def test_policy_order_and_thresholds() -> None:
    """The levels follow the configured thresholds, in the stated order (real statvfs numbers, scaled)."""
    state = {"free": 100 * MB}

    def statvfs(_path: str) -> os.statvfs_result:
        return os.statvfs_result((4096, 4096, 1 << 20, 0, state["free"] // 4096, 0, 0, 0, 0, 255))

    guard = DiskGuard(Path("/"), SpaceConfig.model_validate(SPACE), statvfs=statvfs, clock=iter(range(10**6)).__next__)
    seen = []
    for mb, level in ((20, Level.OK), (15, Level.RECORDINGS_PAUSED), (11, Level.RECORD_PICTURES_PAUSED),
                      (7, Level.PICTURES_PAUSED), (3, Level.RESERVE)):
        state["free"] = mb * MB
        seen.append(guard.level())
        assert guard.level() == level, mb
        assert guard.allows(Writer.EVENT_ROWS)  # never refused by the policy
    assert seen == sorted(seen)
    guard.db_write_failed()
    assert guard.level() == Level.FULL and "held in memory" in guard.status_line()
    state["free"] = 30 * MB
    guard.db_write_ok()
    assert guard.level() == Level.OK and guard.status_line() == "ok"
    with pytest.raises(ValueError, match="reserve_mb"):
        SpaceConfig.model_validate({"event_pictures_mb": 1, "reserve_mb": 2})


def test_full_disk_loses_no_event(small_disk: Path | None, vtest_video: Path) -> None:
    """The tester's run: fill the disk under a real camera, count events raised vs stored, then free it."""
    if small_disk is None:
        return
    data, ballast = small_disk / "data", small_disk / "ballast"
    platform = Platform(config(data, vtest_video), detector=HogDetector())
    published: list[Event] = []
    platform.bus.add_listener(published.append)
    stopped = False
    platform.start()
    try:
        def rule_events(**where: object) -> list[Event]:
            return [e for e in list(published) if e.rule == "walkers" and all(
                e.attributes.get(k) == v if k != "pictures" else (e.snapshot_path is not None) == v
                for k, v in where.items())]

        def alarms(kind: str) -> list[Event]:
            return [e for e in list(published) if e.rule == "system" and e.type == kind]

        wait_for("events with pictures", lambda: len(rule_events(pictures=True)) >= 2)
        assert platform.space.level() <= Level.RECORDINGS_PAUSED  # recordings may already fill 14 MiB

        # Between the reserve and the event-pictures threshold: recordings and pictures stop, rows go on.
        fill(ballast, 6 * MB)
        wait_for("level pictures_paused", lambda: platform.space.level() == Level.PICTURES_PAUSED, 30)
        mark = len(published)
        wait_for("rows without pictures", lambda: sum(
            1 for e in published[mark:] if e.rule == "walkers" and "storage" in e.attributes) >= 3)
        status = platform.camera_status()["campus"]
        assert status["storage"] == "degraded — recordings and pictures paused" and status["state"] == "online"
        assert any(e.type == "recording_paused" for e in published)
        wait_for("disk_low alarm", lambda: bool(alarms("disk_low")), 30)
        low = alarms("disk_low")
        assert low[-1].attributes["severity"] in ("minor", "major") and not low[-1].attributes["resolved"]
        assert "pictures" in low[-1].attributes["message"] or "recordings" in low[-1].attributes["message"]

        # Below the reserve: only event rows (and alarms) write, into the database's reserve.
        fill(ballast, 2 * MB)
        wait_for("disk_full alarm", lambda: bool(alarms("disk_full")), 30)
        assert alarms("disk_full")[0].attributes["severity"] == "critical"
        mark = len(published)
        wait_for("rows in the reserve", lambda: sum(1 for e in published[mark:] if e.rule == "walkers") >= 3)
        assert platform.events.backlog == 0  # the reserve took them: nothing waits

        # Nothing left at all: the database refuses, rows wait in memory, the camera says so.
        fill(ballast, 0)
        mark = len(published)
        wait_for("held events", lambda: platform.events.backlog >= 2)
        assert platform.camera_status()["campus"]["storage"].startswith("full")
        assert platform.space.state()["level"] == "full"
        held = platform.events.backlog

        # Space back: held rows are written, the alarm resolves, pictures and recording resume.
        ballast.unlink()
        wait_for("backlog written", lambda: platform.events.backlog == 0, 60)
        wait_for("resolved alarm", lambda: any(e.attributes.get("resolved") for e in alarms("disk_full")), 30)
        mark = len(published)
        wait_for("pictures again", lambda: any(
            e.rule == "walkers" and e.snapshot_path is not None for e in published[mark:]))
        wait_for("recording resumed", lambda: any(e.type == "recording_resumed" for e in published))

        finished = threading.Thread(target=platform.stop)
        finished.start()
        finished.join(120)
        assert not finished.is_alive(), "stop did not finish"
        stopped = True
    finally:
        if not stopped:
            platform.stop()
        ballast.unlink(missing_ok=True)

    # Every event that was raised is stored: 0 lost (alarms and recording health events included).
    check = Platform(config(data), detector=HogDetector())
    try:
        stored = {e.id for e in published if check.events.get(e.id) is not None}
        lost = [(e.type, e.id) for e in published if e.id not in stored]
        assert lost == [], f"{len(lost)} of {len(published)} events lost"
        assert held >= 2 and len(published) >= 12
        picture_less = [e for e in published if e.rule == "walkers" and e.snapshot_path is None]
        assert all("storage" in (check.events.get(e.id).attributes or {}) for e in picture_less)  # type: ignore[union-attr]
    finally:
        check.engine.dispose()


def test_stop_on_full_disk_finishes_and_signs_at_next_start(small_disk: Path | None) -> None:
    """``audit.checkpoint`` at stop meets ``database or disk is full``: logged, the stop ends, the next
    start signs the head."""
    if small_disk is None:
        return
    data, ballast = small_disk / "data", small_disk / "ballast"
    platform = Platform(config(data), detector=HogDetector())
    platform.start()
    for i in range(5):
        platform.audit.append("tester", "test.entry", str(i))
    fill(ballast, 0)
    with pytest.raises(Exception, match="full"):  # noqa: PT011 - the database's own error, whatever its class
        for i in range(50):
            platform.audit.append("tester", "test.entry", f"more {i}")
    finished = threading.Thread(target=platform.stop)
    finished.start()
    finished.join(60)
    assert not finished.is_alive(), "stop did not finish on a full disk"
    ballast.unlink()

    again = Platform(config(data), detector=HogDetector())
    again.start()
    try:
        entries = again.audit.entries(1, 1000)
        cp = again.audit.checkpoint()
        assert cp is not None and cp.seq == entries[-1].seq  # signed at start (checkpoint() found it done)
        assert again.audit.verify() == []
    finally:
        again.stop()


def test_record_store_follows_the_policy(small_disk: Path | None) -> None:
    """Record pictures stop before event pictures; record rows stop at the reserve (real tmpfs numbers)."""
    if small_disk is None:
        return
    from sqlalchemy import create_engine

    from anfang.store.migrate import upgrade

    guard = DiskGuard(small_disk, SpaceConfig.model_validate({**SPACE, "check_interval_ms": 10}))
    engine = create_engine(f"sqlite:///{small_disk / 'r.db'}")
    upgrade(engine)
    store = RecordStore(engine, small_disk / "records", plate_index=False, space=guard)
    assert store.write_jpeg("r1", "c", time.time(), "crop", b"\xff\xd8jpeg") is not None and store.accepts_rows()
    fill(small_disk / "ballast", 10 * MB)
    time.sleep(0.05)
    assert store.write_jpeg("r2", "c", time.time(), "crop", b"\xff\xd8jpeg") is None  # below record_pictures_mb
    assert store.accepts_rows() and guard.level() == Level.RECORD_PICTURES_PAUSED
    fill(small_disk / "ballast", 3 * MB)
    time.sleep(0.05)
    assert not store.accepts_rows() and guard.state()["refused"]["record_rows"] == 1
    engine.dispose()
