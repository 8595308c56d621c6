"""The face library service (布控): watchlists of people, each enrolled from one or more photos.

Matching is a dot product of the query embedding with every enrolled photo's embedding; a person's score is
their best photo. The matrix is rebuilt lazily after any change, so the camera threads (readers) never wait
on the database during matching.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from anfang.faces.tables import PersonRow, PhotoRow, WatchlistRow
from anfang.store.db import Base
from anfang.video.images import PictureError, decode_picture
from anfang.vision.face.analyze import Face, FaceAnalyzer

KINDS = ("blacklist", "whitelist")


class FaceLibraryError(ValueError):
    """Bad input to the library: unknown id, unreadable photo, no face in a photo, bad kind."""


@dataclass
class Match:
    person_id: int
    person: str
    watchlist_id: int
    watchlist: str
    kind: str
    similarity: float


def decode_image(data: bytes) -> np.ndarray:
    """BGR image from encoded bytes; a clear error for anything OpenCV cannot read."""
    try:
        return decode_picture(data, "photo")
    except PictureError as exc:
        raise FaceLibraryError(str(exc)) from None


def best_face(analyzer: FaceAnalyzer, image: np.ndarray) -> Face:
    faces = analyzer.analyze(image)
    if not faces:
        raise FaceLibraryError("no face found in the image")
    return max(faces, key=lambda f: (f.box[2] - f.box[0]) * f.score)  # the enrolment subject is the largest face


class FaceLibrary:
    def __init__(self, engine: Engine, data_dir: Path, analyzer: FaceAnalyzer) -> None:
        self.engine = engine
        self.photo_dir = Path(data_dir) / "faces"
        self.photo_dir.mkdir(parents=True, exist_ok=True)
        self.analyzer = analyzer
        self._lock = threading.Lock()
        self._index: tuple[np.ndarray, list[Match]] | None = None

    # -- watchlists -------------------------------------------------------------------------------------
    def create_watchlist(self, name: str, kind: str = "blacklist") -> dict:
        if kind not in KINDS:
            raise FaceLibraryError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
        with Session(self.engine) as s:
            if s.scalar(select(WatchlistRow).where(WatchlistRow.name == name)) is not None:
                raise FaceLibraryError(f"a watchlist named {name!r} exists")
            row = WatchlistRow(name=name, kind=kind, created=time.time())
            s.add(row)
            s.commit()
            return self._watchlist_dict(s, row)

    def watchlists(self) -> list[dict]:
        with Session(self.engine) as s:
            return [self._watchlist_dict(s, r) for r in s.scalars(select(WatchlistRow).order_by(WatchlistRow.id))]

    def watchlist(self, watchlist_id: int) -> dict:
        with Session(self.engine) as s:
            return self._watchlist_dict(s, self._get(s, WatchlistRow, watchlist_id))

    def delete_watchlist(self, watchlist_id: int) -> None:
        with Session(self.engine) as s:
            row = self._get(s, WatchlistRow, watchlist_id)
            for person_id in s.scalars(select(PersonRow.id).where(PersonRow.watchlist_id == row.id)):
                self._delete_person(s, person_id)
            s.delete(row)
            s.commit()
        self._invalidate()

    # -- people -----------------------------------------------------------------------------------------
    def add_person(self, watchlist_id: int, name: str, photos: list[bytes], note: str = "") -> dict:
        """Enrol a person from photos; every photo must show a face (nothing is stored otherwise)."""
        if not photos:
            raise FaceLibraryError("at least one photo is needed")
        faces = []
        for i, data in enumerate(photos):
            try:
                faces.append((data, best_face(self.analyzer, decode_image(data))))
            except FaceLibraryError as exc:
                raise FaceLibraryError(f"photo {i + 1}: {exc}") from None
        with Session(self.engine) as s:
            self._get(s, WatchlistRow, watchlist_id)
            person = PersonRow(watchlist_id=watchlist_id, name=name, note=note, created=time.time())
            s.add(person)
            s.flush()
            for data, face in faces:
                s.add(self._photo_row(person.id, data, face))
            s.commit()
            out = self._person_dict(s, person)
        self._invalidate()
        return out

    def add_photo(self, person_id: int, data: bytes) -> dict:
        face = best_face(self.analyzer, decode_image(data))
        with Session(self.engine) as s:
            person = self._get(s, PersonRow, person_id)
            s.add(self._photo_row(person.id, data, face))
            s.commit()
            out = self._person_dict(s, person)
        self._invalidate()
        return out

    def people(self, watchlist_id: int) -> list[dict]:
        with Session(self.engine) as s:
            self._get(s, WatchlistRow, watchlist_id)
            rows = s.scalars(select(PersonRow).where(PersonRow.watchlist_id == watchlist_id).order_by(PersonRow.id))
            return [self._person_dict(s, r) for r in rows]

    def person(self, person_id: int) -> dict:
        with Session(self.engine) as s:
            return self._person_dict(s, self._get(s, PersonRow, person_id))

    def delete_person(self, person_id: int) -> None:
        with Session(self.engine) as s:
            self._get(s, PersonRow, person_id)
            self._delete_person(s, person_id)
            s.commit()
        self._invalidate()

    # -- matching ---------------------------------------------------------------------------------------
    def match(self, embedding: np.ndarray, threshold: float) -> Match | None:
        """The best-matching enrolled person at or above ``threshold``, else ``None``."""
        matrix, owners = self._matrix()
        if not owners:
            return None
        sims = matrix @ np.asarray(embedding, np.float32)
        best = int(sims.argmax())
        if sims[best] < threshold:
            return None
        m = owners[best]
        return Match(m.person_id, m.person, m.watchlist_id, m.watchlist, m.kind, float(sims[best]))

    def _matrix(self) -> tuple[np.ndarray, list[Match]]:
        with self._lock:
            if self._index is None:
                vectors, owners = [], []
                with Session(self.engine) as s:
                    rows = s.execute(
                        select(PhotoRow.embedding, PersonRow.id, PersonRow.name, WatchlistRow.id, WatchlistRow.name,
                               WatchlistRow.kind)
                        .join(PersonRow, PhotoRow.person_id == PersonRow.id)
                        .join(WatchlistRow, PersonRow.watchlist_id == WatchlistRow.id)
                    )  # fmt: skip
                    for emb, pid, pname, wid, wname, kind in rows:
                        vectors.append(np.frombuffer(emb, np.float32))
                        owners.append(Match(pid, pname, wid, wname, kind, 0.0))
                matrix = np.stack(vectors) if vectors else np.zeros((0, 1024), np.float32)
                self._index = (matrix, owners)
            return self._index

    def _invalidate(self) -> None:
        with self._lock:
            self._index = None

    # -- helpers ----------------------------------------------------------------------------------------
    def _photo_row(self, person_id: int, data: bytes, face: Face) -> PhotoRow:
        rel = f"{person_id}/{uuid.uuid4().hex}.jpg"
        path = self.photo_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        emb = face.embedding.astype(np.float32).tobytes()
        return PhotoRow(person_id=person_id, path=rel, embedding=emb, quality=face.quality, created=time.time())

    def _delete_person(self, s: Session, person_id: int) -> None:
        for rel in s.scalars(select(PhotoRow.path).where(PhotoRow.person_id == person_id)):
            (self.photo_dir / rel).unlink(missing_ok=True)
        s.execute(delete(PhotoRow).where(PhotoRow.person_id == person_id))
        s.execute(delete(PersonRow).where(PersonRow.id == person_id))

    @staticmethod
    def _get(s: Session, table: type[Base], row_id: int):  # noqa: ANN205 - returns a row of ``table``
        row = s.get(table, row_id)
        if row is None:
            raise KeyError(f"{table.__tablename__[5:].rstrip('s')} {row_id} not found")
        return row

    @staticmethod
    def _watchlist_dict(s: Session, row: WatchlistRow) -> dict:
        count = len(s.scalars(select(PersonRow.id).where(PersonRow.watchlist_id == row.id)).all())
        return {"id": row.id, "name": row.name, "kind": row.kind, "created": row.created, "people": count}

    @staticmethod
    def _person_dict(s: Session, row: PersonRow) -> dict:
        photos = s.scalars(select(PhotoRow).where(PhotoRow.person_id == row.id).order_by(PhotoRow.id)).all()
        return {
            "id": row.id,
            "watchlist_id": row.watchlist_id,
            "name": row.name,
            "note": row.note,
            "created": row.created,
            "photos": [{"id": p.id, "path": p.path, "quality": round(p.quality, 3)} for p in photos],
        }
