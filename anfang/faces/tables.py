"""Face library tables: watchlists → people → photos (each photo keeps its embedding).

Embeddings are stored as raw float32 bytes so the library can be rebuilt into a matrix without re-running
the models; photos stay on disk under ``<data_dir>/faces/`` so an operator can review what was enrolled.
"""

from __future__ import annotations

from sqlalchemy import Double, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from anfang.store.db import Base


class WatchlistRow(Base):
    __tablename__ = "face_watchlists"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # blacklist | whitelist
    created: Mapped[float] = mapped_column(Double)


class PersonRow(Base):
    __tablename__ = "face_people"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    watchlist_id: Mapped[int] = mapped_column(ForeignKey("face_watchlists.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(128))
    note: Mapped[str] = mapped_column(String(512), default="")
    created: Mapped[float] = mapped_column(Double)


class PhotoRow(Base):
    __tablename__ = "face_photos"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("face_people.id", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(String(512))  # relative to <data_dir>/faces
    embedding: Mapped[bytes] = mapped_column(LargeBinary)  # float32, L2-normalised
    quality: Mapped[float] = mapped_column(Double)
    created: Mapped[float] = mapped_column(Double)
