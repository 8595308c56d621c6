"""Record rows (one per finished track) and their JPEGs under ``<data_dir>/records/``.

The searchable attributes (colours, plate, gender, age band) are real indexed columns, not only JSON, so an
attribute query over millions of rows is an index range scan on SQLite and PostgreSQL alike. The full
attribute set with confidences stays in ``attributes`` (JSON) for display and export. The embedding is kept
in the row too, so the vector index can always be rebuilt from the database.

On a filling disk the store follows the platform's free-space policy (:mod:`anfang.store.space`): record
pictures stop before event pictures, record rows stop at the database's reserve (kept for event rows).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from sqlalchemy import (
    JSON,
    BigInteger,
    Double,
    Engine,
    Index,
    Integer,
    LargeBinary,
    Select,
    String,
    delete,
    func,
    insert,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from anfang.search.plate_index import PlateIndex
from anfang.search.plates import normalise_plate
from anfang.security.media import MediaPolicy
from anfang.store.db import Base
from anfang.store.files import inside, safe_name, write_atomic
from anfang.store.space import DiskGuard, Writer, is_disk_full

RECORD_TYPES = ("person", "face", "motor_vehicle", "non_motor_vehicle")
PARTIAL_INDEXED = ("coat_color", "trousers_color", "vehicle_color", "plate_norm")


S = TypeVar("S", bound=Select)  # any SELECT over records; its row type is kept


class RecordRow(Base):
    """A structured record (GA/T 1400 Person / Face / MotorVehicle / NonMotorVehicle)."""

    __tablename__ = "records"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    type: Mapped[str] = mapped_column(String(24))
    object_class: Mapped[str | None] = mapped_column(String(32))
    camera_id: Mapped[str] = mapped_column(String(64))
    track_id: Mapped[int | None] = mapped_column(BigInteger)
    appear_time: Mapped[float] = mapped_column(Double)
    disappear_time: Mapped[float] = mapped_column(Double)
    shot_time: Mapped[float] = mapped_column(Double)  # when the best snapshot was taken
    box: Mapped[list[float] | None] = mapped_column(JSON)
    confidence: Mapped[float | None] = mapped_column(Double)  # detector score on the best frame
    quality: Mapped[float | None] = mapped_column(Double)
    coat_color: Mapped[str | None] = mapped_column(String(16))
    trousers_color: Mapped[str | None] = mapped_column(String(16))
    vehicle_color: Mapped[str | None] = mapped_column(String(16))
    plate_no: Mapped[str | None] = mapped_column(String(16))
    plate_color: Mapped[str | None] = mapped_column(String(16))
    plate_norm: Mapped[str | None] = mapped_column(String(16))  # normalise_plate(plate_no), for search
    gender: Mapped[str | None] = mapped_column(String(8))
    age_low: Mapped[int | None] = mapped_column(Integer)
    age_up: Mapped[int | None] = mapped_column(Integer)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    snapshot_path: Mapped[str | None] = mapped_column(String(512))
    crop_path: Mapped[str | None] = mapped_column(String(512))
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary)
    embedding_model: Mapped[str | None] = mapped_column(String(32))
    parent_id: Mapped[str | None] = mapped_column(String(64))  # a Face record's Person
    created_at: Mapped[float] = mapped_column(Double)

    # Partial indexes (migration 0007): a column only one record type fills is indexed only where it is set,
    # so a person row skips the vehicle and plate B-trees and a vehicle row the clothing ones. Every query on
    # these columns compares them (``=``, ``IN``, ``GLOB``), which lets SQLite and PostgreSQL use the partial
    # index. No index on plate_no: plate search goes through plate_norm.
    __table_args__ = (
        Index("ix_records_type_shot_time", "type", "shot_time"),
        Index("ix_records_camera_id_shot_time", "camera_id", "shot_time"),
        *(
            Index(
                f"ix_records_{col}_shot_time" if col != "plate_norm" else "ix_records_plate_norm",
                *((col, "shot_time") if col != "plate_norm" else (col,)),
                sqlite_where=text(f"{col} IS NOT NULL"),
                postgresql_where=text(f"{col} IS NOT NULL"),
            )
            for col in PARTIAL_INDEXED
        ),
        Index("ix_records_shot_time", "shot_time"),
    )

    def vector(self) -> np.ndarray | None:
        return None if self.embedding is None else np.frombuffer(self.embedding, np.float32)


COLUMNS = [c.name for c in RecordRow.__table__.columns]
_JSON_COLUMNS = frozenset(c.name for c in RecordRow.__table__.columns if isinstance(c.type, JSON))
# Page cache for the connection that bulk-inserts (SQLite's default is 2 MiB). The secondary B-trees take
# inserts all over their key range (colours, cameras, plates); once they outgrow 2 MiB every insert re-reads
# pages from the OS. bench_records, 200k rows: 17.9k rows/s with the default, 21.5k with 128 MiB (flat from the
# first 20k rows). A limit, not an allocation: pages are only kept as they are used.
SQLITE_CACHE_KIB = 131_072
_SQLITE_INSERT = f"INSERT INTO records ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"


def _glob_to_like(pattern: str) -> str:
    """GLOB (``*`` ``?``) to LIKE (``%`` ``_``) for databases without GLOB; plates hold no % or _."""
    return pattern.replace("*", "%").replace("?", "_")


class RecordStore:
    """Rows plus files; ``add_many`` is one transaction (bulk import and bench use it)."""

    def __init__(
        self,
        engine: Engine,
        media_dir: Path,
        media: MediaPolicy | None = None,
        plate_index: bool = True,
        space: DiskGuard | None = None,
    ) -> None:
        self.engine = engine
        self.space = space  # the platform's free-space policy (None: write until the OS says no)
        self.media = media if media is not None else MediaPolicy()  # the platform's evidence policy
        self.media_dir = Path(media_dir)
        self.media_dir.mkdir(parents=True, exist_ok=True)
        # Fuzzy plate search index (anfang.search.plate_index), built from the database in the background at
        # start so the first fuzzy query does not pay for it, then kept current by add_many and purge.
        self._plates: PlateIndex | None = None
        self._plates_lock = threading.Lock()
        if plate_index:
            threading.Thread(target=self.plate_index, name="plate-index", daemon=True).start()

    def plate_index(self) -> PlateIndex:
        """The fuzzy plate index, built on first use (or by the start-up thread) from the distinct plates.

        The build holds the lock across its read, and inserts/deletes take the same lock before touching the
        index, so a row committed during the build is either read by it or applied after it (adding a plate
        twice is harmless); none is lost.
        """
        with self._plates_lock:
            if self._plates is None:
                index = PlateIndex()
                stmt = select(RecordRow.plate_norm).distinct().where(RecordRow.plate_norm.is_not(None))
                with self.engine.connect() as conn:
                    index.add(r[0] for r in conn.execute(stmt) if r[0] is not None)
                self._plates = index
            return self._plates

    def media_path(self, relative: str | None) -> Path | None:
        return inside(self.media_dir, relative)

    def write_jpeg(self, record_id: str, camera_id: str, when: float, kind: str, data: bytes) -> str | None:
        """Store one JPEG durably and return its path relative to the records folder; ``None`` (no picture,
        the row is still written) while the free-space policy pauses record pictures or the disk is full.

        The media policy (the platform's: an SM4 key and/or an SM2 signer) encrypts the bytes before they
        touch the disk and signs them in a sidecar, exactly like event pictures.
        """
        if self.space is not None and not self.space.allows(Writer.RECORD_PICTURES):
            return None
        day = time.strftime("%Y-%m-%d", time.gmtime(when))
        rel = f"{safe_name(camera_id)}/{day}/{safe_name(record_id)}_{kind}.jpg"
        try:
            write_atomic(self.media_dir / rel, self.media.seal(data))
        except OSError as err:
            if not is_disk_full(err):
                raise
            return None
        self.media.sign(self.media_dir / rel, data)
        return rel

    def accepts_rows(self) -> bool:
        """False below the database's reserve: that space is kept for event rows (records are dropped)."""
        return self.space is None or self.space.allows(Writer.RECORD_ROWS)

    def read_media(self, relative: str | None) -> bytes | None:
        """Clear bytes of a record picture (decrypted with the policy's key); ``None`` if missing."""
        return self.media.open(self.media_path(relative))

    def add_many(self, rows: Sequence[dict[str, Any]]) -> None:
        """Insert ``rows`` in one transaction.

        On SQLite the rows go straight to the driver's ``executemany`` as tuples with the JSON columns
        serialised here: SQLAlchemy's per-row parameter processing cost twice the insert itself
        (bench_records: ~6–9k rows/s through Core, the driver alone ~35k rows/s with the 9 indexes), with a
        larger page cache (SQLITE_CACHE_KIB) so the secondary B-trees stay in memory as the table grows.
        Other databases keep the portable Core insert.
        """
        if not rows:
            return
        now = time.time()
        values = [{c: r.get(c) for c in COLUMNS} | {"created_at": r.get("created_at") or now} for r in rows]
        for v in values:
            v["attributes"] = v["attributes"] or {}
            if v["plate_no"] and not v["plate_norm"]:
                v["plate_norm"] = normalise_plate(v["plate_no"])
        with self.engine.begin() as conn:
            if self.engine.dialect.name != "sqlite":
                conn.execute(insert(RecordRow), values)
            else:
                params = [
                    tuple(
                        json.dumps(v[c], ensure_ascii=False) if c in _JSON_COLUMNS and v[c] is not None else v[c]
                        for c in COLUMNS
                    )
                    for v in values
                ]
                conn.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")  # per connection; cheap to repeat
                conn.exec_driver_sql(_SQLITE_INSERT, params)
        plates = {v["plate_norm"] for v in values if v["plate_norm"]}
        if plates:
            with self._plates_lock:
                if self._plates is not None:
                    self._plates.add(plates)

    def get(self, record_id: str) -> RecordRow | None:
        with Session(self.engine) as s:
            return s.get(RecordRow, record_id)

    def get_many(self, ids: Iterable[str]) -> dict[str, RecordRow]:
        ids = list(ids)
        out: dict[str, RecordRow] = {}
        with Session(self.engine) as s:
            for start in range(0, len(ids), 500):
                for row in s.scalars(select(RecordRow).where(RecordRow.id.in_(ids[start : start + 500]))):
                    out[row.id] = row
        return out

    def query(
        self,
        type: str | None = None,
        camera_ids: Sequence[str] | None = None,
        since: float | None = None,
        until: float | None = None,
        limit: int = 50,
        offset: int = 0,
        **equals: str | None,
    ) -> list[RecordRow]:
        """Newest first; ``equals`` are column=value filters (coat_color="red", plate_no=...)."""
        stmt = select(RecordRow)
        if type:
            stmt = stmt.where(RecordRow.type == type)
        stmt = _scoped(stmt, camera_ids, since, until)
        for column, value in equals.items():
            if value is not None:
                stmt = stmt.where(getattr(RecordRow, column) == value)
        stmt = stmt.order_by(RecordRow.shot_time.desc()).limit(limit).offset(offset)
        with Session(self.engine) as s:
            return list(s.scalars(stmt))

    def plates(
        self,
        camera_ids: Sequence[str] | None = None,
        since: float | None = None,
        until: float | None = None,
        globs: Sequence[str] | None = None,
        lengths: tuple[int, int] | None = None,
        limit: int | None = None,
        norms: Sequence[str] | None = None,
    ) -> list[tuple[str, str]]:
        """``(id, plate_no)`` of plated records in range, newest first, prefiltered in SQL on ``plate_norm``.

        ``globs``: GLOB patterns (``*`` ``?``; any one may match) — a pattern with a literal prefix is an index
        range scan, others a scan of the small plate index, both in C rather than a Python loop over every
        plate. ``lengths``: (min, max) length of the normalised plate. Callers confirm matches in Python.
        ``norms``: exactly these normalised plates (what the fuzzy index found), an index lookup each.
        """
        stmt = select(RecordRow.id, RecordRow.plate_no).where(RecordRow.plate_norm.is_not(None))
        if norms is not None:
            stmt = stmt.where(RecordRow.plate_norm.in_(list(norms)))
        if globs or lengths:
            # Two steps: the distinct normalised plates that pass, from the plate index alone (a covering
            # scan of short keys, no table lookups), then only those plates' rows by index lookup.
            sqlite = self.engine.dialect.name == "sqlite"
            candidates = select(RecordRow.plate_norm).distinct().where(RecordRow.plate_norm.is_not(None))
            if globs:
                conds = [
                    RecordRow.plate_norm.op("GLOB")(g) if sqlite else RecordRow.plate_norm.like(_glob_to_like(g))
                    for g in globs
                ]
                candidates = candidates.where(or_(*conds))
            if lengths is not None:
                candidates = candidates.where(func.length(RecordRow.plate_norm).between(*lengths))
            with self.engine.connect() as conn:
                passed = [r[0] for r in conn.execute(candidates)]
            if not passed:
                return []
            if len(passed) > 20_000:  # too many to list: let the database apply the pattern itself
                stmt = stmt.where(RecordRow.plate_norm.in_(candidates.scalar_subquery()))
            else:
                stmt = stmt.where(RecordRow.plate_norm.in_(passed))
        stmt = _scoped(stmt, camera_ids, since, until)
        if limit is not None:
            stmt = stmt.order_by(RecordRow.shot_time.desc()).limit(limit)
        with self.engine.connect() as conn:
            return [(r[0], r[1] or "") for r in conn.execute(stmt)]  # plate_norm is set, so plate_no is too

    def fuzzy_plates(
        self,
        query: str,
        max_distance: float,
        camera_ids: Sequence[str] | None = None,
        since: float | None = None,
        until: float | None = None,
        limit: int = 50,
    ) -> list[tuple[str, str, float]] | None:
        """``(id, plate_no, distance)``, nearest first then newest, through the in-memory plate index.

        ``None`` when the index cannot answer this query exactly (wildcards, a distance beyond its depth):
        the caller falls back to the SQL prefilter. Rows are fetched one distance tier at a time, newest first,
        so a popular plate does not pull all of its rows when ``limit`` is already filled by nearer ones.
        """
        index = self.plate_index()
        if not index.covers(query, max_distance):
            return None
        tiers: dict[float, list[str]] = {}
        for norm, d in index.search(query, max_distance):
            tiers.setdefault(d, []).append(norm)
        out: list[tuple[str, str, float]] = []
        for d in sorted(tiers):
            rows = self.plates(camera_ids, since, until, limit=limit - len(out), norms=tiers[d])
            out += [(rid, plate, d) for rid, plate in rows]
            if len(out) >= limit:
                break
        return out

    def count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(RecordRow)).scalar_one())

    def vectors(
        self, batch: int = 5000, face: bool = False
    ) -> Iterable[tuple[list[str], np.ndarray, list[str], list[float]]]:
        """Every stored body (or, with ``face``, face) embedding in batches (to rebuild a lost or stale index)."""
        stmt = select(RecordRow.id, RecordRow.embedding, RecordRow.camera_id, RecordRow.shot_time).where(
            RecordRow.embedding.is_not(None), (RecordRow.type == "face") if face else (RecordRow.type != "face")
        )
        with self.engine.connect() as conn:
            result = conn.execute(stmt.execution_options(yield_per=batch))
            for part in result.partitions(batch):
                yield (
                    [r[0] for r in part],
                    np.stack([np.frombuffer(r[1] or b"", np.float32) for r in part]),  # not NULL: filtered above
                    [r[2] for r in part],
                    [r[3] for r in part],
                )

    def purge(self, cutoff: float, batch: int = 500) -> list[str]:
        """Delete records shot before ``cutoff`` with their files; returns the removed ids."""
        removed: list[str] = []
        while True:
            with Session(self.engine) as s:
                rows = s.execute(
                    select(RecordRow.id, RecordRow.plate_norm, RecordRow.snapshot_path, RecordRow.crop_path)
                    .where(RecordRow.shot_time < cutoff)
                    .limit(batch)
                ).all()
            if not rows:
                return removed
            with self.engine.begin() as conn:
                conn.execute(delete(RecordRow).where(RecordRow.id.in_([r[0] for r in rows])))
            self._forget_plates({r[1] for r in rows if r[1]})
            for _rid, _plate, *paths in rows:
                for rel in paths:
                    self.media.remove(self.media_path(rel))  # the picture and its signature
            removed.extend(r[0] for r in rows)

    def _forget_plates(self, plates: set[str]) -> None:
        """Drop from the fuzzy index the plates no remaining row carries (retention removed their last record)."""
        if not plates:
            return
        with self._plates_lock:
            if self._plates is None:
                return
            stmt = select(RecordRow.plate_norm).distinct().where(RecordRow.plate_norm.in_(sorted(plates)))
            with self.engine.connect() as conn:
                still = {r[0] for r in conn.execute(stmt)}
            self._plates.discard(plates - still)


def _scoped(stmt: S, camera_ids: Sequence[str] | None, since: float | None, until: float | None) -> S:
    """``stmt`` limited to the cameras and the shot-time range (``until`` exclusive) every query takes."""
    if camera_ids:
        stmt = stmt.where(RecordRow.camera_id.in_(list(camera_ids)))
    if since is not None:
        stmt = stmt.where(RecordRow.shot_time >= since)
    if until is not None:
        stmt = stmt.where(RecordRow.shot_time < until)
    return stmt
