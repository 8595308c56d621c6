"""Database engine, the one ORM ``Base`` every feature's tables use, and the core tables.

SQLite (WAL) is the embedded default; the schema only uses portable types (text, integers, doubles,
booleans, ``sqlalchemy.JSON``) so the same models and migrations run on PostgreSQL. Times are float epoch
seconds everywhere, the same unit :class:`~anfang.events.model.Event` carries, so nothing converts time
zones on the way in or out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Double, Engine, Index, MetaData, String, Table, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.sql import FromClause

from anfang.events.model import Event

# Deterministic constraint/index names: PostgreSQL needs them to drop or alter constraints in later
# migrations, and autogenerate compares by name.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SQLITE_BUSY_TIMEOUT_MS = 10_000


class Base(DeclarativeBase):
    """The one declarative base: events, cameras, users, audit, records, recordings and faces share its
    metadata, so ``Base.metadata`` is the whole schema (Alembic's autogenerate and the schema test see it all)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def tables_metadata(*tables: FromClause, naming_convention: dict[str, str] | None = None) -> MetaData:
    """A separate ``MetaData`` holding fresh copies of ``tables`` (columns, their indexes and uniques).

    For a migration that creates one feature's tables with ``create_all`` (0002_security): that must keep
    creating those tables only, with the constraint names they always had, now that the ORM classes live
    in the shared :class:`Base`. ``naming_convention=None`` is SQLAlchemy's default (indexes named only).
    """
    metadata = MetaData() if naming_convention is None else MetaData(naming_convention=naming_convention)
    for table in tables:
        if not isinstance(table, Table):
            raise TypeError(f"{table!r} is not a table")
        Table(table.name, metadata, *(column._copy() for column in table.columns))
    return metadata


class EventRecord(Base):
    """One stored event; columns mirror :class:`Event` plus acknowledgement for the operator console."""

    __tablename__ = "events"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    camera_id: Mapped[str] = mapped_column(String(64))
    rule: Mapped[str] = mapped_column(String(128))
    type: Mapped[str] = mapped_column(String(32))
    object_class: Mapped[str | None] = mapped_column(String(32))
    track_id: Mapped[int | None] = mapped_column(BigInteger)
    start_time: Mapped[float] = mapped_column(Double)
    end_time: Mapped[float | None] = mapped_column(Double)
    box: Mapped[list[float] | None] = mapped_column(JSON)
    score: Mapped[float | None] = mapped_column(Double)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    snapshot_path: Mapped[str | None] = mapped_column(String(512))
    crop_path: Mapped[str | None] = mapped_column(String(512))
    acknowledged: Mapped[bool] = mapped_column(Boolean, default=False)
    ack_time: Mapped[float | None] = mapped_column(Double)
    created_at: Mapped[float] = mapped_column(Double)

    __table_args__ = (
        Index("ix_events_camera_id", "camera_id"),
        Index("ix_events_start_time", "start_time"),
        Index("ix_events_type", "type"),
        Index("ix_events_object_class", "object_class"),
    )

    def to_event(self) -> Event:
        """Back to the pipeline's data model (without image bytes; they live on disk)."""
        return Event(
            id=self.id,
            camera_id=self.camera_id,
            rule=self.rule,
            type=self.type,
            object_class=self.object_class,
            track_id=self.track_id,
            start_time=self.start_time,
            end_time=self.end_time,
            box=_box(self.box),
            score=self.score,
            attributes=dict(self.attributes or {}),
            snapshot_path=self.snapshot_path,
            crop_path=self.crop_path,
        )


def _box(values: list[float] | None) -> tuple[float, float, float, float] | None:
    if values is None:
        return None
    x1, y1, x2, y2 = values
    return (x1, y1, x2, y2)


class CameraRecord(Base):
    """A camera added, edited or removed through the API.

    Config-file cameras are not stored; a row here overrides the file's camera with the same id (or hides
    it when ``deleted``), so API changes survive restarts without rewriting the user's YAML.
    """

    __tablename__ = "cameras"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    config: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(String(16), default="api")
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[float] = mapped_column(Double)


def default_url(data_dir: Path) -> str:
    return f"sqlite:///{(Path(data_dir) / 'anfang.db').resolve()}"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # WAL lets the API read while camera threads write; busy_timeout makes a second writer wait instead
    # of failing with "database is locked"; synchronous=FULL fsyncs the WAL on commit so an event the
    # store acknowledged survives power loss, not only a process crash.
    cur = dbapi_conn.cursor()
    try:
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
    finally:
        cur.close()


def make_engine(url: str | None, data_dir: Path) -> Engine:
    """Engine for ``url`` (default: ``<data_dir>/anfang.db``), with SQLite tuned for concurrent use."""
    if url is None:
        Path(data_dir).mkdir(parents=True, exist_ok=True)
        url = default_url(data_dir)
    engine = create_engine(url, pool_pre_ping=not url.startswith("sqlite"))
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine
