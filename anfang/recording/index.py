"""The segment index: one row per finished segment file (camera, start, end, path, bytes, codec).

The files are the truth for the video, the table is the truth for *what* is where: the timeline, exports
and retention all query it instead of walking directories. Rows are written only once a segment's file is
closed, so a listed segment is always complete and playable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, Double, Engine, Index, Integer, String, delete, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from anfang.store.db import Base


class SegmentRow(Base):
    __tablename__ = "recording_segments"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    camera_id: Mapped[str] = mapped_column(String(64))
    start: Mapped[float] = mapped_column(Double)
    end: Mapped[float] = mapped_column(Double)
    path: Mapped[str] = mapped_column(String(512))  # relative to <data_dir>/recordings
    bytes: Mapped[int] = mapped_column(BigInteger)
    codec: Mapped[str] = mapped_column(String(16))
    frames: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (Index("ix_recording_segments_camera_id_start", "camera_id", "start"),)


@dataclass(frozen=True)
class Segment:
    """A finished segment, detached from the session."""

    camera_id: str
    start: float
    end: float
    path: str
    bytes: int
    codec: str
    frames: int

    @property
    def start_ms(self) -> int:
        return round(self.start * 1000)

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "bytes": self.bytes, "codec": self.codec,
                "frames": self.frames, "start_ms": self.start_ms}


def _seg(row: SegmentRow) -> Segment:
    return Segment(row.camera_id, row.start, row.end, row.path, row.bytes, row.codec, row.frames)


class SegmentIndex:
    """Queries over ``recording_segments``; thread-safe (one short session per call)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, seg: Segment) -> None:
        with Session(self.engine) as s, s.begin():
            s.add(SegmentRow(camera_id=seg.camera_id, start=seg.start, end=seg.end, path=seg.path,
                             bytes=seg.bytes, codec=seg.codec, frames=seg.frames))

    def query(self, camera_id: str, since: float | None = None, until: float | None = None) -> list[Segment]:
        """Segments overlapping ``[since, until)``, oldest first."""
        q = select(SegmentRow).where(SegmentRow.camera_id == camera_id)
        if since is not None:
            q = q.where(SegmentRow.end > since)
        if until is not None:
            q = q.where(SegmentRow.start < until)
        with Session(self.engine) as s:
            return [_seg(r) for r in s.scalars(q.order_by(SegmentRow.start))]

    def get(self, camera_id: str, start_ms: int) -> Segment | None:
        lo, hi = (start_ms - 0.5) / 1000.0, (start_ms + 0.5) / 1000.0
        q = select(SegmentRow).where(SegmentRow.camera_id == camera_id, SegmentRow.start >= lo, SegmentRow.start < hi)
        with Session(self.engine) as s:
            row = s.scalars(q).first()
            return None if row is None else _seg(row)

    def oldest(self, camera_id: str, limit: int = 100) -> list[Segment]:
        q = select(SegmentRow).where(SegmentRow.camera_id == camera_id).order_by(SegmentRow.start).limit(limit)
        with Session(self.engine) as s:
            return [_seg(r) for r in s.scalars(q)]

    def total_bytes(self, camera_id: str) -> int:
        q = select(func.coalesce(func.sum(SegmentRow.bytes), 0)).where(SegmentRow.camera_id == camera_id)
        with Session(self.engine) as s:
            return int(s.scalar(q) or 0)

    def paths(self, camera_id: str) -> set[str]:
        """Relative paths of the camera's listed segments (the orphan scan compares the disk with these)."""
        q = select(SegmentRow.path).where(SegmentRow.camera_id == camera_id)
        with Session(self.engine) as s:
            return set(s.scalars(q))

    def remove(self, camera_id: str, path: str) -> None:
        with Session(self.engine) as s, s.begin():
            s.execute(delete(SegmentRow).where(SegmentRow.camera_id == camera_id, SegmentRow.path == path))


def timeline(segments: list[Segment], tolerance_s: float = 0.05) -> list[list[float]]:
    """Covered intervals: consecutive segments that touch (within ``tolerance_s``) merge into one."""
    out: list[list[float]] = []
    for seg in segments:
        if out and seg.start <= out[-1][1] + tolerance_s:
            out[-1][1] = max(out[-1][1], seg.end)
        else:
            out.append([seg.start, seg.end])
    return out
