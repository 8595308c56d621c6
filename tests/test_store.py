"""Store tests on real SQLite files: migrations, event round trips, filters, purge, camera persistence."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from anfang.config.models import CameraConfig
from anfang.events.model import Event
from anfang.store.cameras import CameraStore
from anfang.store.db import Base, make_engine
from anfang.store.events import EventStore
from anfang.store.migrate import MIGRATIONS_DIR, upgrade

DAY = 86400.0


def jpeg(value: int = 128) -> bytes:
    ok, buf = cv2.imencode(".jpg", np.full((32, 48, 3), value, np.uint8))
    assert ok
    return buf.tobytes()


@pytest.fixture
def engine(tmp_path: Path, store_url: str | None) -> Engine:
    eng = make_engine(store_url, tmp_path)
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def store(engine: Engine, tmp_path: Path) -> EventStore:
    return EventStore(engine, tmp_path / "media")


def make_event(**kw) -> Event:
    base = dict(camera_id="cam1", rule="r", type="intrusion", start_time=1_700_000_000.0, object_class="person")
    base.update(kw)
    return Event(**base)


def _table_name(diff: tuple) -> str | None:
    obj = diff[1] if diff[0] == "remove_table" else getattr(diff[1], "table", None)
    return getattr(obj, "name", None)


def test_migration_matches_orm_metadata(engine: Engine, tmp_path: Path) -> None:
    """Every migration (all branches) runs on the backend, and the result matches the ORM's metadata."""
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
        # Feature branches (security, recording, ...) create tables from their own metadata: not Base's to check.
        diff = [d for d in diff if not (d[0].startswith("remove_") and _table_name(d) not in Base.metadata.tables)]
        assert diff == []
    indexes = {ix["name"] for ix in inspect(engine).get_indexes("events")}
    assert {"ix_events_camera_id", "ix_events_start_time", "ix_events_type", "ix_events_object_class"} <= indexes
    upgrade(engine)  # idempotent at head


@pytest.mark.sqlite_only
def test_sqlite_file_and_pragmas(engine: Engine, tmp_path: Path, store_backend: str) -> None:
    assert (tmp_path / "anfang.db").is_file()
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() > 0


def test_migration_files_are_package_data() -> None:
    assert (MIGRATIONS_DIR / "env.py").is_file()
    assert (MIGRATIONS_DIR / "script.py.mako").is_file()
    assert (MIGRATIONS_DIR / "versions" / "0001_initial.py").is_file()


def test_add_writes_files_and_row(store: EventStore, tmp_path: Path) -> None:
    ev = make_event(
        snapshot=jpeg(10),
        crop=jpeg(20),
        box=(1.0, 2.0, 3.0, 4.0),
        score=np.float32(0.75),
        track_id=7,
        attributes={"dwell_s": np.float64(3.5), "zones": ("a", "b")},
    )
    store.add(ev)
    assert ev.snapshot_path == f"cam1/2023-11-14/{ev.id}_snapshot.jpg"
    snap = store.media_path(ev.snapshot_path)
    crop = store.media_path(ev.crop_path)
    assert snap is not None and snap.read_bytes() == ev.snapshot
    assert crop is not None and crop.read_bytes() == ev.crop
    assert not list(snap.parent.glob("*.tmp"))
    rec = store.get(ev.id)
    assert rec is not None
    assert rec.box == [1.0, 2.0, 3.0, 4.0]
    assert rec.score == pytest.approx(0.75)
    assert rec.attributes == {"dwell_s": 3.5, "zones": ["a", "b"]}
    assert rec.acknowledged is False
    back = rec.to_event()
    assert back.id == ev.id and back.track_id == 7 and back.box == (1.0, 2.0, 3.0, 4.0)
    assert store.get("missing") is None


def test_event_survives_new_engine(tmp_path: Path, store_url: str | None) -> None:
    eng = make_engine(store_url, tmp_path)
    upgrade(eng)
    ev = make_event()
    EventStore(eng, tmp_path / "media").add(ev)
    eng.dispose()
    eng2 = make_engine(store_url, tmp_path)
    assert EventStore(eng2, tmp_path / "media").get(ev.id) is not None
    eng2.dispose()


def test_query_filters_and_pagination(store: EventStore) -> None:
    t0 = 1_700_000_000.0
    for i in range(30):
        store.add(
            make_event(
                camera_id="cam1" if i % 2 == 0 else "cam2",
                type="intrusion" if i % 3 else "line_crossing",
                object_class="person" if i < 20 else "car",
                start_time=t0 + i,
            )
        )
    rows, total = store.query(limit=10)
    assert total == 30 and len(rows) == 10
    assert [r.start_time for r in rows] == [t0 + i for i in range(29, 19, -1)]  # newest first
    page3, total3 = store.query(limit=10, offset=20)
    assert total3 == 30 and [r.start_time for r in page3] == [t0 + i for i in range(9, -1, -1)]
    rows, total = store.query(camera_id="cam2")
    assert total == 15 and all(r.camera_id == "cam2" for r in rows)
    rows, total = store.query(type="line_crossing", object_class="person")
    assert total == len([i for i in range(20) if i % 3 == 0])
    rows, total = store.query(since=t0 + 5, until=t0 + 10)
    assert sorted(r.start_time for r in rows) == [t0 + i for i in range(5, 10)]
    assert store.query(object_class="car")[1] == 10


def test_concurrent_adds_from_threads(store: EventStore) -> None:
    errors: list[BaseException] = []

    def worker(cam: str) -> None:
        try:
            for i in range(20):
                store.add(make_event(camera_id=cam, start_time=1_700_000_000.0 + i, snapshot=jpeg(i)))
        except BaseException as err:  # pragma: no cover - reported below
            errors.append(err)

    threads = [threading.Thread(target=worker, args=(f"c{n}",)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert store.query()[1] == 80


def test_purge_deletes_rows_and_files(store: EventStore) -> None:
    now = time.time()
    old = make_event(start_time=now - 40 * DAY, snapshot=jpeg(), crop=jpeg())
    new = make_event(start_time=now, snapshot=jpeg())
    store.add(old)
    store.add(new)
    old_files = [store.media_path(old.snapshot_path), store.media_path(old.crop_path)]
    assert all(p is not None and p.is_file() for p in old_files)
    assert store.purge(now - 30 * DAY) == 1
    assert store.get(old.id) is None and store.get(new.id) is not None
    assert not any(p.exists() for p in old_files if p is not None)
    assert not old_files[0].parent.exists()  # empty day folder pruned
    assert store.media_path(new.snapshot_path).is_file()
    assert store.purge(now - 30 * DAY) == 0


def test_counts_by_hour(store: EventStore) -> None:
    h = 1_700_000_000.0 // 3600 * 3600
    for dt, cam, cls in [(10, "a", "person"), (20, "a", "person"), (3700, "a", "person"), (30, "b", "car")]:
        store.add(make_event(camera_id=cam, object_class=cls, start_time=h + dt))
    counts = {(c.camera_id, c.object_class, c.hour): c.count for c in store.counts_by_hour(h - 1)}
    assert counts == {("a", "person", h): 2, ("b", "car", h): 1, ("a", "person", h + 3600): 1}
    assert len(store.counts_by_hour(h, camera_id="b")) == 1


def test_media_path_refuses_escapes(store: EventStore) -> None:
    assert store.media_path("../../etc/passwd") is None
    ev = make_event(camera_id="..", snapshot=jpeg())
    store.add(ev)
    assert ev.snapshot_path is not None and not ev.snapshot_path.startswith("..")


def test_acknowledge(store: EventStore) -> None:
    ev = make_event()
    store.add(ev)
    assert store.acknowledge(ev.id, when=5.0)
    rec = store.get(ev.id)
    assert rec is not None and rec.acknowledged and rec.ack_time == 5.0
    assert not store.acknowledge("nope")


def test_camera_store_round_trip(engine: Engine) -> None:
    cams = CameraStore(engine)
    assert cams.load() == ([], set())
    cfg = CameraConfig.model_validate({"id": "door", "source": {"type": "rtsp", "url": "rtsp://10.0.0.2/s"}})
    cams.save(cfg)
    cams.delete("yard")
    loaded, deleted = CameraStore(engine).load()
    assert loaded == [cfg] and deleted == {"yard"}
    cams.delete("door")
    assert CameraStore(engine).load() == ([], {"yard", "door"})
    cams.save(cfg)  # re-adding undoes the deletion
    assert CameraStore(engine).load() == ([cfg], {"yard"})
