"""Watchlist matching on live video: a per-camera :class:`FrameObserver`.

For each person track the observer looks for a face at most once per ``interval_s`` (on frames the
detector ran on, whose boxes are fresh), inside the upper part of the person box. A face that matches an
enrolled person raises one ``watchlist_match`` event per (track, person); later sightings of the same track
only raise again for a different person. This bounds the face-model cost by tracks, not by frames.
"""

from __future__ import annotations

import cv2
import numpy as np

from anfang.core.detections import Detections
from anfang.core.frame import Frame
from anfang.core.taxonomy import ObjectClass
from anfang.events.model import Event
from anfang.faces.config import FacesConfig
from anfang.faces.library import FaceLibrary

RULE = "faces"
EVENT_TYPE = "watchlist_match"


class WatchlistObserver:
    def __init__(self, camera_id: str, library: FaceLibrary, config: FacesConfig) -> None:
        self.camera_id = camera_id
        self.library = library
        self.config = config
        self._last_try: dict[int, float] = {}  # track id -> pts of the last face analysis
        self._alerted: set[tuple[int, int]] = set()  # (track id, person id) already reported

    def on_frame(self, frame: Frame, tracked: Detections, detected: bool) -> list[Event] | None:
        if not detected or not len(tracked) or tracked.track_id is None:
            return None
        people = (tracked.class_id == int(ObjectClass.PERSON)) & (tracked.track_id >= 0)
        events: list[Event] = []
        for i in np.flatnonzero(people):
            track = int(tracked.track_id[i])
            last = self._last_try.get(track)
            if last is not None and frame.pts - last < self.config.interval_s:
                continue
            self._last_try[track] = frame.pts
            x1, y1, x2, y2 = (float(v) for v in tracked.xyxy[i])
            event = self._check(frame, track, (x1, y1, x2, y2))
            if event is not None:
                events.append(event)
        if len(self._last_try) > 4096:  # tracks end silently; forget the oldest rather than grow forever
            for track in sorted(self._last_try, key=self._last_try.__getitem__)[:2048]:
                del self._last_try[track]
        return events or None

    def _check(self, frame: Frame, track: int, person_box: tuple[float, float, float, float]) -> Event | None:
        faces = self.library.analyzer.analyze(frame.image, person_box)
        faces = [f for f in faces if f.box[2] - f.box[0] >= self.config.min_face]
        if not faces:
            return None
        face = faces[0]  # highest quality
        if self.config.min_liveness and not face.liveness >= self.config.min_liveness:
            return None
        match = self.library.match(face.embedding, self.config.match_threshold)
        if match is None or (track, match.person_id) in self._alerted:
            return None
        self._alerted.add((track, match.person_id))
        x1, y1, x2, y2 = (int(v) for v in face.box)
        ok, crop = cv2.imencode(".jpg", frame.image[max(y1, 0) : y2, max(x1, 0) : x2])
        return Event(
            camera_id=self.camera_id,
            rule=RULE,
            type=EVENT_TYPE,
            start_time=frame.timestamp,
            object_class="person",
            track_id=track,
            box=face.box,
            score=match.similarity,
            attributes={
                "person": match.person,
                "person_id": match.person_id,
                "watchlist": match.watchlist,
                "watchlist_id": match.watchlist_id,
                "kind": match.kind,
                "similarity": round(match.similarity, 4),
                "liveness": None if np.isnan(face.liveness) else round(float(face.liveness), 3),
                "face": face.to_dict(),
            },
            crop=crop.tobytes() if ok else None,
        )

    def close(self) -> None:
        self._last_try.clear()
        self._alerted.clear()
