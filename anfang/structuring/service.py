"""Turns a finished track's best crop into a stored record: attributes, embedding, JPEGs, row, index entry.

One :class:`RecordService` per platform, shared by every camera's :class:`~anfang.structuring.builder.
RecordBuilder`. The optional analysers (pose, plates, faces) are loaded once, on first need, and a missing
model or module disables that analyser with one log line instead of failing the camera: records without
clothing colours are still records.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np

from anfang.search.index import AnnIndex
from anfang.structuring.config import RecordsConfig
from anfang.structuring.faces import FACE_DIM, best_face, face_attributes, face_columns, face_row
from anfang.structuring.ids import new_record_id
from anfang.structuring.store import RecordStore
from anfang.vision.attributes.colors import COLOR_CODES
from anfang.vision.attributes.person import PoseEstimator, person_attributes
from anfang.vision.attributes.vehicle import vehicle_attributes
from anfang.vision.reid.onnx_reid import ReidEmbedder, create_reid

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from anfang.security.media import MediaPolicy
    from anfang.store.space import DiskGuard
    from anfang.vision.face.config import FaceDetectorConfig

log = logging.getLogger(__name__)

RECORD_TYPE = {
    "person": "person",
    "car": "motor_vehicle",
    "bus": "motor_vehicle",
    "truck": "motor_vehicle",
    "motorcycle": "motor_vehicle",
    "bicycle": "non_motor_vehicle",
}


@dataclass
class Observation:
    """What a builder hands over when a track ends: its best frame and when the track was seen."""

    camera_id: str
    track_id: int
    object_class: str
    image: np.ndarray  # the full frame of the best view (BGR)
    box: tuple[float, float, float, float]
    confidence: float
    quality: float
    shot_time: float
    appear_time: float
    disappear_time: float
    detections: int


def _optional(factory: Any, what: str) -> Any:
    try:
        return factory()
    except Exception as exc:  # missing module, model pack or weights: that analyser is off
        log.warning("records: %s unavailable (%s); records are written without it", what, exc)
        return None


class RecordService:
    """Builds, stores, indexes and expires records (see module docstring)."""

    def __init__(
        self,
        store: RecordStore,
        index: AnnIndex,
        cfg: RecordsConfig,
        models_dir: Path | None,
        face_detector: FaceDetectorConfig | None = None,
    ) -> None:
        self.store, self.index, self.cfg, self.models_dir = store, index, cfg, models_dir
        self.face_detector = face_detector  # faces.detector: the settings masking uses too
        self.embedder: ReidEmbedder = create_reid(cfg.reid, models_dir)
        self.face_index: AnnIndex | None = None  # FaceRes vectors of Face records (open_service opens it)
        self._lock = threading.Lock()
        self._loaded: dict[str, Any] = {}
        self._last_save = time.monotonic()
        self._listeners: list[Callable[[list[dict[str, Any]]], None]] = []

    def add_listener(self, listener: Callable[[list[dict[str, Any]]], None]) -> None:
        """Call ``listener(rows)`` after every batch of new records is committed (from cameras, imports or
        another system's posts): how a feature hears of records without patching this class. A listener
        that raises is logged; the records are stored all the same."""
        self._listeners.append(listener)

    def _announce(self, rows: list[dict[str, Any]]) -> None:
        for listener in self._listeners:
            try:
                listener(rows)
            except Exception:
                log.exception("records: a new-record listener failed")

    def _analyser(self, name: str) -> Any:
        with self._lock:
            if name not in self._loaded:
                self._loaded[name] = self._load(name)
            return self._loaded[name]

    def _load(self, name: str) -> Any:
        if name == "pose" and self.cfg.pose and self.models_dir is not None:
            return _optional(lambda: PoseEstimator(self.models_dir), "pose (movenet)")
        if name == "plate" and self.cfg.plates:

            def make() -> Any:
                from anfang.vision.plate import PlateReader

                return PlateReader(self.models_dir, threads=1)

            return _optional(make, "plate reader")
        if name == "face" and self.cfg.faces:

            def make_face() -> Any:
                from anfang.vision.face import FaceAnalyzer

                if self.models_dir is None:
                    raise FileNotFoundError("no model pack folder")
                return FaceAnalyzer(self.models_dir, detector_config=self.face_detector)

            return _optional(make_face, "face analyzer")
        return None

    def face_analyzer(self) -> Any:
        """The shared :class:`~anfang.vision.face.FaceAnalyzer`, or ``None`` when faces are off/unavailable."""
        return self._analyser("face")

    def _face(self, obs: Observation) -> Any:
        analyzer = self.face_analyzer() if obs.object_class == "person" else None
        if analyzer is None:
            return None
        try:
            return best_face(analyzer, obs.image, obs.box)
        except Exception:
            log.exception("records: face analysis failed on one person")
            return None

    # ------------------------------------------------------------ building

    def attributes_for(self, object_class: str, crop: np.ndarray, confidence: float) -> dict[str, Any]:
        """Attribute dict (each ``{value, code, confidence}``) for one crop; also used by search-by-image."""
        if object_class == "person":
            return person_attributes(crop, self._analyser("pose")).to_dict()
        attrs = vehicle_attributes(crop, object_class)
        if "vehicle_class" in attrs:
            attrs["vehicle_class"]["confidence"] = round(float(confidence), 3)
        if RECORD_TYPE.get(object_class) == "motor_vehicle":
            reader = self._analyser("plate")
            if reader is not None:
                try:
                    plates = [p for p in reader.read(crop) if p.valid]
                except Exception:
                    log.exception("records: plate reading failed on one crop")
                    plates = []
                if plates:
                    best = max(plates, key=lambda p: p.confidence)
                    conf = round(float(best.confidence), 3)
                    attrs["plate_no"] = {"value": best.text, "confidence": conf}
                    attrs["plate_color"] = {"value": best.colour, "code": COLOR_CODES.get(best.colour, "99")}
        return attrs

    def build_all(self, obs: Observation) -> list[dict[str, Any]]:
        """The record for one observation and, for a person with a visible face, its Face record."""
        row = self.build(obs)
        face = self._face(obs)
        if face is None:
            return [row]
        row.update(face_columns(face))
        row["attributes"] |= face_attributes(face)
        face_id = new_record_id()
        row["attributes"]["face_id"] = face_id
        return [row, face_row(face, row, obs.image, self.store, self.cfg.jpeg_quality, face_id)]

    def build(self, obs: Observation) -> dict[str, Any]:
        """The row for one observation, with its JPEGs already written."""
        h, w = obs.image.shape[:2]
        x1, y1, x2, y2 = (int(round(v)) for v in obs.box)
        x1, y1, x2, y2 = max(0, x1), max(0, y1), min(w, x2), min(h, y2)
        crop = obs.image[y1:y2, x1:x2]
        attrs = self.attributes_for(obs.object_class, crop, obs.confidence)
        rtype = RECORD_TYPE.get(obs.object_class, "person")
        rid = new_record_id()
        vec = None
        if rtype == "person" and crop.size:
            vec = np.asarray(self.embedder.embed(crop), np.float32)
        quality = [cv2.IMWRITE_JPEG_QUALITY, self.cfg.jpeg_quality]
        snap = self.store.write_jpeg(
            rid, obs.camera_id, obs.shot_time, "snapshot", cv2.imencode(".jpg", obs.image, quality)[1].tobytes()
        )
        crop_rel = (
            self.store.write_jpeg(
                rid, obs.camera_id, obs.shot_time, "crop", cv2.imencode(".jpg", crop, quality)[1].tobytes()
            )
            if crop.size
            else None
        )

        def value(key: str) -> Any:
            item = attrs.get(key)
            return item.get("value") if isinstance(item, dict) else None

        return {
            "id": rid,
            "type": rtype,
            "object_class": obs.object_class,
            "camera_id": obs.camera_id,
            "track_id": obs.track_id,
            "appear_time": obs.appear_time,
            "disappear_time": obs.disappear_time,
            "shot_time": obs.shot_time,
            "box": [float(x1), float(y1), float(x2), float(y2)],
            "confidence": round(float(obs.confidence), 4),
            "quality": round(float(obs.quality), 4),
            "coat_color": value("upper_color"),
            "trousers_color": value("lower_color"),
            "vehicle_color": value("vehicle_color"),
            "plate_no": value("plate_no"),
            "plate_color": value("plate_color"),
            "attributes": attrs | {"detections": obs.detections, "image_size": [w, h]},
            "snapshot_path": snap,
            "crop_path": crop_rel,
            "embedding": None if vec is None else vec.tobytes(),
            "embedding_model": None if vec is None else self.embedder.name,
        }

    def record(self, obs: Observation) -> str | None:
        """Build and persist one record (row committed, then indexed); returns its id (``None``: not kept,
        the disk is below the database's reserve — see anfang/store/space.py)."""
        if not self.store.accepts_rows():
            return None
        rows = self.build_all(obs)
        self.store.add_many(rows)
        self._index_rows(rows)
        self._announce(rows)
        self.maybe_save()
        return rows[0]["id"]

    def add_rows(self, rows: list[dict[str, Any]]) -> None:
        """Bulk insert already-built rows (imports, benchmarks): one transaction, one index batch."""
        self.store.add_many(rows)
        self._index_rows(rows)
        self._announce(rows)

    def _index_rows(self, rows: list[dict[str, Any]]) -> None:
        """Body vectors into ``index``, face vectors into ``face_index`` (different models, different spaces)."""
        for face in (False, True):
            index = self.face_index if face else self.index
            vec_rows = [r for r in rows if r.get("embedding") is not None and (r["type"] == "face") == face]
            if not vec_rows or index is None:
                continue
            index.add(
                [r["id"] for r in vec_rows],
                np.stack([np.frombuffer(r["embedding"], np.float32) for r in vec_rows]),
                [r["camera_id"] for r in vec_rows],
                [r["shot_time"] for r in vec_rows],
            )

    # ------------------------------------------------------------ upkeep

    def maybe_save(self, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self._last_save >= self.cfg.index_save_s:
            self._last_save = now
            self.index.save()
            if self.face_index is not None:
                self.face_index.save()

    def purge(self, cutoff: float) -> int:
        """Retention: delete records shot before ``cutoff`` from the database, the disk and the index."""
        removed = self.store.purge(cutoff)
        self.index.delete(removed)
        if self.face_index is not None:
            self.face_index.delete(removed)
        self.maybe_save(force=bool(removed))
        return len(removed)

    def rebuild_index(self) -> int:
        """Re-add every stored embedding the index lacks (after a lost or older index folder)."""
        added = 0
        for face, index in ((False, self.index), (True, self.face_index)):
            if index is None:
                continue
            for ids, vecs, cams, times in self.store.vectors(face=face):
                keep = [i for i, rid in enumerate(ids) if rid not in index]
                if keep:
                    index.add([ids[i] for i in keep], vecs[keep], [cams[i] for i in keep], [times[i] for i in keep])
                    added += len(keep)
        return added


def open_service(
    engine: Engine,
    data_dir: Path,
    cfg: RecordsConfig,
    models_dir: Path | None,
    media: MediaPolicy | None = None,
    face_detector: FaceDetectorConfig | None = None,
    space: DiskGuard | None = None,
) -> RecordService:
    """Service over ``data_dir`` (records under ``records/``, index under ``index/``); the index is loaded,
    and topped up from the database if rows were written that it never saw. ``media``: the platform's
    evidence policy, so record pictures are encrypted/signed like event ones."""
    store = RecordStore(engine, Path(data_dir) / "records", media, space=space)
    # The index is a placeholder until the embedder's dimension is known.
    service = RecordService(store, AnnIndex(1, None), cfg, models_dir, face_detector)
    service.index = AnnIndex.open(Path(data_dir) / "index", service.embedder.dim, cfg.index_backend)
    service.face_index = AnnIndex.open(Path(data_dir) / "index-face", FACE_DIM, cfg.index_backend)
    if service.rebuild_index():
        service.maybe_save(force=True)
    return service
