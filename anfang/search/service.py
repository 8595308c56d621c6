"""Search over records: by attributes (indexed columns), by picture (appearance vectors), by plate.

The API router and the ``anfang search`` command are thin shells over :class:`SearchService`, so both
answer the same question the same way. Camera and time filters apply to every kind of search, and the
caller's camera scope (a user limited to some cameras) is just one more camera filter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from anfang.search.plates import Mode, match_plates, sql_prefilter
from anfang.structuring.service import RecordService
from anfang.structuring.store import RECORD_TYPES, RecordRow
from anfang.video.images import PictureError, decode_picture
from anfang.vision.attributes.colors import PALETTE

ATTRIBUTE_FILTERS = ("coat_color", "trousers_color", "vehicle_color", "plate_color", "gender")
COLOR_FILTERS = ("coat_color", "trousers_color", "vehicle_color")
ImageKind = Literal["auto", "body", "face"]


class SearchError(ValueError):
    """A query the caller got wrong (names the parameter)."""


@dataclass
class Scored:
    row: RecordRow
    score: float  # similarity for image search, weighted edit distance for plate search
    kind: str = ""  # image search: "face" or "body", which index answered


def _cameras(camera_ids: Sequence[str] | None, scope: frozenset[str] | None) -> list[str] | None:
    """Intersect the requested cameras with the caller's scope (``None`` = no restriction)."""
    if scope is None:
        return list(camera_ids) if camera_ids else None
    return [c for c in camera_ids if c in scope] if camera_ids else sorted(scope)


class SearchService:
    def __init__(self, records: RecordService) -> None:
        self.records = records

    def attributes(
        self,
        type: str | None = None,
        camera_ids: Sequence[str] | None = None,
        since: float | None = None,
        until: float | None = None,
        limit: int = 50,
        offset: int = 0,
        scope: frozenset[str] | None = None,
        **attrs: str | None,
    ) -> list[RecordRow]:
        if type is not None and type not in RECORD_TYPES:
            raise SearchError(f"type: unknown record type {type!r}; expected one of {', '.join(RECORD_TYPES)}")
        for key, value in attrs.items():
            if key not in ATTRIBUTE_FILTERS:
                raise SearchError(f"{key}: not a searchable attribute")
            if key in COLOR_FILTERS and value is not None and value not in PALETTE:
                raise SearchError(f"{key}: unknown colour {value!r}; expected one of {', '.join(PALETTE)}")
        cams = _cameras(camera_ids, scope)
        if cams == []:
            return []
        return self.records.store.query(type, cams, since, until, limit, offset, **attrs)

    def by_image(
        self,
        image: np.ndarray | bytes,
        k: int = 20,
        camera_ids: Sequence[str] | None = None,
        since: float | None = None,
        until: float | None = None,
        scope: frozenset[str] | None = None,
        kind: ImageKind = "auto",
    ) -> list[Scored]:
        """Records nearest to a picture, most similar first.

        ``face``: Face records by FaceRes identity (the picture must show a face); ``body``: Person records by
        appearance; ``auto``: faces when the picture has one and Face records exist, else body. A face is the
        stronger identity cue (clothes change, faces don't), so it wins when present.
        """
        if isinstance(image, bytes):
            try:
                image = decode_picture(image, "image")
            except PictureError as exc:
                raise SearchError(str(exc)) from None
        if image.size == 0 or min(image.shape[:2]) < 8:
            raise SearchError("image: too small to describe (at least 8x8 pixels)")
        if kind not in ("auto", "body", "face"):
            raise SearchError(f"kind: {kind!r} is not auto, body or face")
        cams = _cameras(camera_ids, scope)
        face_index = self.records.face_index
        if kind == "face" or (kind == "auto" and face_index is not None and face_index.count()):
            analyzer = self.records.face_analyzer()
            if analyzer is None:
                if kind == "face":
                    raise SearchError("kind: face search is unavailable (no face models)")
            else:
                faces = analyzer.analyze(image)
                if faces and face_index is not None:
                    if cams == []:
                        return []
                    return self._hits(face_index.search(faces[0].embedding, k, cams, since, until), "face")
                if kind == "face":
                    raise SearchError("image: no face found (use kind=body for a body picture)")
        if cams == []:
            return []
        vec = self.records.embedder.embed(image)
        return self._hits(self.records.index.search(vec, k, cams, since, until), "body")

    def _hits(self, hits: list[Any], kind: str) -> list[Scored]:
        rows = self.records.store.get_many(h.id for h in hits)
        return [Scored(rows[h.id], h.score, kind) for h in hits if h.id in rows]

    def plates(
        self,
        q: str,
        mode: Mode = "exact",
        camera_ids: Sequence[str] | None = None,
        since: float | None = None,
        until: float | None = None,
        limit: int = 50,
        max_distance: float = 1.0,
        scope: frozenset[str] | None = None,
    ) -> list[Scored]:
        if not q.strip():
            raise SearchError("q: empty plate query")
        cams = _cameras(camera_ids, scope)
        if cams == []:
            return []
        if mode not in ("exact", "wildcard", "fuzzy"):
            raise SearchError(f"mode: unknown plate search mode {mode!r}; expected exact, wildcard or fuzzy")
        if mode == "fuzzy":  # the in-memory deletion index answers plain fuzzy queries; wildcards go to SQL
            fuzzy = self.records.store.fuzzy_plates(q, max_distance, cams, since, until, limit)
            if fuzzy is not None:
                rows = self.records.store.get_many(rid for rid, _p, _d in fuzzy)
                return [Scored(rows[rid], d) for rid, _p, d in fuzzy if rid in rows]
        globs, lengths = sql_prefilter(q, mode, max_distance)
        # exact/wildcard hits all have distance 0, so the database can stop at the newest ``limit``.
        sql_limit = limit if mode != "fuzzy" else None
        candidates = self.records.store.plates(cams, since, until, globs, lengths, sql_limit)
        found = match_plates(q, candidates, mode, max_distance)
        found = found[:limit]
        rows = self.records.store.get_many(rid for rid, _p, _d in found)
        return [Scored(rows[rid], d) for rid, _p, d in found if rid in rows]


def record_dict(row: RecordRow, url_base: str = "/api/records") -> dict[str, Any]:
    """The JSON shape of a record in the API and the CLI: what it is, and each attribute with its confidence."""
    attrs = row.attributes or {}
    listed = [
        {"name": name, "value": item.get("value"), "code": item.get("code"), "confidence": item.get("confidence")}
        for name, item in attrs.items()
        if isinstance(item, dict) and "value" in item
    ]
    return {
        "id": row.id,
        "type": row.type,
        "object_class": row.object_class,
        "camera_id": row.camera_id,
        "track_id": row.track_id,
        "appear_time": row.appear_time,
        "disappear_time": row.disappear_time,
        "shot_time": row.shot_time,
        "box": row.box,
        "confidence": row.confidence,
        "quality": row.quality,
        "attributes": listed,
        "region_source": attrs.get("region_source"),
        "plate_no": row.plate_no,
        "gender": row.gender,
        "age_low": row.age_low,
        "age_up": row.age_up,
        "parent_id": row.parent_id,  # a Face record's Person record
        "face_id": attrs.get("face_id"),  # a Person record's Face record
        "has_embedding": row.embedding is not None,
        "snapshot_url": f"{url_base}/{row.id}/snapshot.jpg" if row.snapshot_path else None,
        "crop_url": f"{url_base}/{row.id}/crop.jpg" if row.crop_path else None,
    }
