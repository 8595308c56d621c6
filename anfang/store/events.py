"""Event store: rows in the database, snapshot/crop JPEGs as files under the media folder.

Images are written first (atomically, fsynced), then the row is committed. So once :meth:`EventStore.add`
returns, the event and its pictures survive a crash; if the process dies in between, at worst an orphan
JPEG is left, never a row pointing at a half-written file. Paths in the rows are relative to the media
folder so a data folder can be moved or restored elsewhere.

On a filling disk the store follows the free-space policy (:mod:`anfang.store.space`): pictures stop
first (the row records why in ``attributes.storage``), the row is always tried, and a row the database
refuses for lack of space waits in a bounded in-memory backlog that the guard's thread writes as soon as
space is back, so no event row is lost while the process runs.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Engine, Integer, cast, delete, func, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from anfang.events.model import Event
from anfang.security.media import KINDS, MediaPolicy
from anfang.store.db import EventRecord
from anfang.store.files import inside, safe_name, write_atomic
from anfang.store.space import DiskGuard, Writer, is_disk_full

log = logging.getLogger(__name__)

_PURGE_BATCH = 500


@dataclass(frozen=True, slots=True)
class HourCount:
    """Events of one camera and class in the hour starting at ``hour`` (epoch seconds, UTC-aligned)."""

    camera_id: str
    object_class: str | None
    hour: float
    count: int


class EventStore:
    """Persist and query events; safe to call from every camera thread at once."""

    def __init__(
        self, engine: Engine, media_dir: Path, media: MediaPolicy | None = None, space: DiskGuard | None = None
    ) -> None:
        self.engine = engine
        self.space = space  # the free-space policy (None: write until the OS says no)
        # Evidence policy: pictures are sealed (SM4) before they are written and signed (SM2) after.
        self.media = media if media is not None else MediaPolicy()
        self.media_dir = Path(media_dir)
        self.media_dir.mkdir(parents=True, exist_ok=True)
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        # SQLite has one writer anyway; serialising here avoids busy-timeout waits between our own threads.
        self._write_lock = threading.Lock()
        # Rows the database refused for lack of space, oldest first, written again by flush_backlog().
        self._backlog: deque[Event] = deque()
        self.backlog_limit = space.config.backlog if space is not None else 0
        self.lost = 0  # rows dropped because the backlog was full too
        if space is not None:
            space.backlog = lambda: len(self._backlog)
            space.on_tick.append(self.flush_backlog)

    # ------------------------------------------------------------ paths

    def media_path(self, relative: str | None) -> Path | None:
        """Absolute path of a stored media file, or ``None`` if unset or outside the media folder."""
        return inside(self.media_dir, relative)

    def read_media(self, relative: str | None) -> bytes | None:
        """Clear bytes of a stored picture (``None`` if missing); raises DecryptionError on a bad key/file."""
        return self.media.open(self.media_path(relative))

    def _relative_for(self, event: Event, kind: str) -> str:
        day = time.strftime("%Y-%m-%d", time.gmtime(event.start_time))
        return f"{safe_name(event.camera_id)}/{day}/{safe_name(event.id)}_{kind}.jpg"

    # ------------------------------------------------------------ writes

    def add(self, event: Event) -> None:
        """Write the event's JPEGs (sealed by the media policy) and row, then sign the pictures; fills in
        ``snapshot_path`` / ``crop_path`` (relative). The event keeps its clear pictures for later observers.

        Pictures are skipped while the free-space policy pauses them, or when writing them hits a full disk
        (``attributes.storage`` says so); the row is written anyway. A row the database refuses for lack of
        space goes to the backlog (no exception): :meth:`flush_backlog` writes it when space is back.
        """
        written: list[Path] = []
        signed: list[tuple[Path, bytes]] = []
        note: str | None = None
        try:
            if any(getattr(event, kind) for kind in KINDS):
                if self.space is not None and not self.space.allows(Writer.EVENT_PICTURES):
                    note = "pictures not stored: " + self.space.why(Writer.EVENT_PICTURES)
                else:
                    try:
                        self._write_pictures(event, written, signed)
                    except OSError as err:
                        if not is_disk_full(err):
                            raise
                        self._drop_pictures(event, written, signed)
                        note = f"pictures not stored: {err.strerror or err}"
            if note is not None:  # on the event too: bus consumers (alarm desk, sinks) see why
                event.attributes = {**event.attributes, "storage": note}
            try:
                with self._write_lock, Session(self.engine) as session, session.begin():
                    session.add(self._record(event, note))
            except OperationalError as err:
                if not is_disk_full(err) or self.space is None:  # no policy: the caller hears of it
                    raise
                self._drop_pictures(event, written, signed)
                self._hold(event, "pictures not stored: the database was full" if note is None else note)
                return
        except BaseException:
            for path in written:
                path.unlink(missing_ok=True)
            raise
        if self.space is not None:
            self.space.db_write_ok()  # clears FULL: the database takes rows again
        for path, data in signed:
            self.media.sign(path, data)

    def _write_pictures(self, event: Event, written: list[Path], signed: list[tuple[Path, bytes]]) -> None:
        for kind in KINDS:
            data: bytes | None = getattr(event, kind)
            if not data:
                continue
            rel = self._relative_for(event, kind)
            path = self.media_dir / rel
            existed = path.exists()  # a retried add must not delete the first attempt's pictures
            write_atomic(path, self.media.seal(data))
            if not existed:
                written.append(path)
            signed.append((path, data))
            setattr(event, f"{kind}_path", rel)

    @staticmethod
    def _drop_pictures(event: Event, written: list[Path], signed: list[tuple[Path, bytes]]) -> None:
        """Give the space back to the rows: the pictures this add wrote go, the row will not point at them."""
        for path in written:
            path.unlink(missing_ok=True)
        written.clear()
        signed.clear()
        event.snapshot_path = event.crop_path = None

    def _record(self, event: Event, note: str | None) -> EventRecord:
        attributes = event.to_dict()["attributes"]  # numpy scalars → JSON types
        if note is not None:
            attributes["storage"] = note
        return EventRecord(
            id=event.id,
            camera_id=event.camera_id,
            rule=event.rule,
            type=event.type,
            object_class=event.object_class,
            track_id=event.track_id,
            start_time=float(event.start_time),
            end_time=None if event.end_time is None else float(event.end_time),
            box=[float(v) for v in event.box] if event.box is not None else None,
            score=None if event.score is None else float(event.score),
            attributes=attributes,
            snapshot_path=event.snapshot_path,
            crop_path=event.crop_path,
            acknowledged=False,
            ack_time=None,
            created_at=time.time(),
        )

    # ------------------------------------------------------------ the backlog (database full)

    def _hold(self, event: Event, note: str) -> None:
        if self.space is not None:
            self.space.db_write_failed()
        event.attributes = {**event.attributes, "storage": note}
        with self._write_lock:
            if len(self._backlog) < self.backlog_limit:
                self._backlog.append(event)
                if len(self._backlog) == 1:
                    log.warning("database full: events are held in memory until space is back")
                return
            self.lost += 1
            lost = self.lost
        if lost == 1 or lost % 100 == 0:  # rate-limited: one line, then one per hundred
            log.error("database full and the event backlog (%d) is full: %d events lost so far (latest %s)",
                      self.backlog_limit, lost, event.id)

    @property
    def backlog(self) -> int:
        """Events waiting for the database (it refused them for lack of space)."""
        return len(self._backlog)

    def flush_backlog(self) -> int:
        """Write held rows, oldest first, until the database refuses again; returns how many were written.

        Run on the free-space guard's thread at every check, and at stop."""
        done = 0
        while True:
            with self._write_lock:
                if not self._backlog:
                    break
                event = self._backlog[0]
                try:
                    with Session(self.engine) as session, session.begin():
                        session.merge(self._record(event, None))  # merge: a retry after a lost commit reply
                except OperationalError as err:
                    if not is_disk_full(err):
                        log.exception("backlog: event %s cannot be stored; dropped", event.id)
                        self._backlog.popleft()
                        self.lost += 1
                        continue
                    break
                self._backlog.popleft()
                done += 1
        if done:
            log.info("database writes again: %d held events stored, %d still waiting", done, len(self._backlog))
            if self.space is not None:
                self.space.db_write_ok()
        return done

    def acknowledge(
        self, event_id: str, when: float | None = None, verdict: dict[str, Any] | None = None
    ) -> EventRecord | None:
        """Mark an event as seen by an operator, in one committed transaction; ``verdict`` (status, note, by)
        is kept in ``attributes.ack``. Returns the updated row, ``None`` if there is no such event."""
        with self._write_lock, self._sessions.begin() as session:
            rec = session.get(EventRecord, event_id)
            if rec is None:
                return None
            rec.acknowledged = True
            rec.ack_time = time.time() if when is None else when
            if verdict is not None:  # a new dict: JSON columns track assignment, not mutation
                rec.attributes = {**(rec.attributes or {}), "ack": {**verdict, "time": rec.ack_time}}
            session.flush()
            session.expunge(rec)
            return rec

    def purge(self, older_than: float) -> int:
        """Delete events that started before ``older_than`` (epoch) and their files; returns rows deleted."""
        total = 0
        while True:
            with self._write_lock, self._sessions.begin() as session:
                rows = session.execute(
                    select(EventRecord.id, EventRecord.snapshot_path, EventRecord.crop_path)
                    .where(EventRecord.start_time < older_than)
                    .limit(_PURGE_BATCH)
                ).all()
                if not rows:
                    break
                session.execute(delete(EventRecord).where(EventRecord.id.in_([r.id for r in rows])))
            # Files go after the commit: a crash here leaves orphan files, never rows without pictures.
            for row in rows:
                for rel in (row.snapshot_path, row.crop_path):
                    self.remove_media(rel)
            total += len(rows)
        if total:
            self._prune_empty_dirs()
            log.info("retention: purged %d events older than %s", total, time.ctime(older_than))
        return total

    def purge_snapshots(self, older_than: float) -> int:
        """Drop the pictures (not the rows) of events that started before ``older_than``; returns how many
        events lost pictures (per-type retention: ``security.retention.snapshots_days``)."""
        with self._write_lock, self._sessions.begin() as session:
            rows = session.execute(
                select(EventRecord.id, EventRecord.snapshot_path, EventRecord.crop_path).where(
                    EventRecord.start_time < older_than,
                    (EventRecord.snapshot_path.is_not(None)) | (EventRecord.crop_path.is_not(None)),
                )
            ).all()
            if rows:
                session.execute(
                    update(EventRecord)
                    .where(EventRecord.id.in_([r.id for r in rows]))
                    .values(snapshot_path=None, crop_path=None)
                )
        for row in rows:
            self.remove_media(row.snapshot_path)
            self.remove_media(row.crop_path)
        return len(rows)

    def delete_track(self, camera_id: str, track_id: int) -> int:
        """Delete a track's events and their pictures (right to erasure); returns events deleted."""
        with self._write_lock, self._sessions.begin() as session:
            rows = session.execute(
                select(EventRecord.id, EventRecord.snapshot_path, EventRecord.crop_path).where(
                    EventRecord.camera_id == camera_id, EventRecord.track_id == track_id
                )
            ).all()
            if rows:
                session.execute(delete(EventRecord).where(EventRecord.id.in_([r.id for r in rows])))
        for row in rows:
            self.remove_media(row.snapshot_path)
            self.remove_media(row.crop_path)
        return len(rows)

    def remove_media(self, relative: str | None) -> None:
        """Delete a stored picture and its signature sidecar."""
        self.media.remove(self.media_path(relative))

    def _prune_empty_dirs(self) -> None:
        for cam_dir in self.media_dir.iterdir():
            if not cam_dir.is_dir():
                continue
            for day_dir in cam_dir.iterdir():
                if day_dir.is_dir() and not any(day_dir.iterdir()):
                    day_dir.rmdir()

    # ------------------------------------------------------------ reads

    def get(self, event_id: str) -> EventRecord | None:
        with self._sessions() as session:
            return session.get(EventRecord, event_id)

    def query(
        self,
        camera_id: str | None = None,
        type: str | None = None,
        object_class: str | None = None,
        since: float | None = None,
        until: float | None = None,
        limit: int = 50,
        offset: int = 0,
        camera_ids: Collection[str] | None = None,
    ) -> tuple[list[EventRecord], int]:
        """Events matching every given filter, newest first, and how many match in total.

        ``camera_ids`` limits the result to those cameras (a user's grants); ``None`` means all.
        """
        where = list(_filters(camera_id, type, object_class, since, until))
        if camera_ids is not None:
            where.append(EventRecord.camera_id.in_(sorted(camera_ids)))
        with self._sessions() as session:
            total = session.scalar(select(func.count()).select_from(EventRecord).where(*where)) or 0
            rows = session.scalars(
                select(EventRecord)
                .where(*where)
                .order_by(EventRecord.start_time.desc(), EventRecord.id.desc())
                .limit(limit)
                .offset(offset)
            ).all()
        return list(rows), int(total)

    def counts_by_hour(self, since: float, until: float | None = None, camera_id: str | None = None) -> list[HourCount]:
        """Event counts per camera, object class and hour, oldest hour first (for the stats page)."""
        where = _filters(camera_id, None, None, since, until)
        hour = self._hour_bucket()
        with self._sessions() as session:
            rows = session.execute(
                select(EventRecord.camera_id, EventRecord.object_class, hour.label("hour"), func.count())
                .where(*where)
                .group_by(EventRecord.camera_id, EventRecord.object_class, hour)
                .order_by(hour, EventRecord.camera_id, EventRecord.object_class)
            ).all()
        return [HourCount(r[0], r[1], float(r[2]) * 3600.0, int(r[3])) for r in rows]

    def _hour_bucket(self) -> ColumnElement[Any]:
        # floor(t / 3600): SQLite's CAST truncates (= floor for positive epochs) and may lack floor();
        # PostgreSQL's CAST rounds, so it gets floor().
        if self.engine.dialect.name == "sqlite":
            return cast(EventRecord.start_time / 3600, Integer)
        return func.floor(EventRecord.start_time / 3600)


def _filters(
    camera_id: str | None,
    type_: str | None,
    object_class: str | None,
    since: float | None,
    until: float | None,
) -> Sequence[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if camera_id is not None:
        where.append(EventRecord.camera_id == camera_id)
    if type_ is not None:
        where.append(EventRecord.type == type_)
    if object_class is not None:
        where.append(EventRecord.object_class == object_class)
    if since is not None:
        where.append(EventRecord.start_time >= since)
    if until is not None:
        where.append(EventRecord.start_time < until)
    return where
