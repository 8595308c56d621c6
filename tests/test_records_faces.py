"""Faces in records on a real clip: Face records linked to Person records, face search, masked record pictures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from anfang.config.models import AppConfig
from anfang.pipeline.camera import CameraPipeline
from anfang.platform import Platform
from anfang.sources.base import create_source
from anfang.structuring.builder import RecordBuilder
from anfang.structuring.component import Structuring
from anfang.structuring.gat1400 import export
from anfang.vision.hog import HogDetector
from tests.api_auth import api_client

pytestmark = pytest.mark.models


@pytest.fixture
def platform(tmp_path: Path, models_dir: Path) -> Iterator[Platform]:
    cfg = AppConfig.model_validate(
        {"data_dir": str(tmp_path / "data"), "models_dir": str(models_dir), "detector": {"type": "hog"}}
    )
    p = Platform(cfg, detector=HogDetector())
    p.start()
    yield p
    p.stop()


def _decode(data: bytes) -> np.ndarray:
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    assert image is not None
    return image


def test_faces_into_records_search_and_masking(platform: Platform, models_dir: Path, shared_data: Path) -> None:
    from anfang.vision.combo import ComboDetector

    faces_dir = shared_data / "faces" / "face_recognition"
    service = platform.get(Structuring).service
    clip = str(faces_dir / "short_hamilton_clip.mp4")
    cam = platform.config.model_validate(
        {"cameras": [{"id": "h", "detect_fps": 5, "source": {"type": "file", "path": clip, "realtime": False}}]}
    ).cameras[0]
    builder = RecordBuilder(cam, service)
    pipeline = CameraPipeline(cam, ComboDetector(models_dir), lambda e: None, observers=[builder])
    with create_source(cam.id, cam.source) as source:
        for _ in range(150):  # 5 s: a few dozen detector frames
            frame = source.read()
            assert frame is not None
            pipeline.process(frame)
    pipeline.stop()

    faces = service.store.query(type="face", limit=100)
    assert faces, "no Face record from the clip"
    assert service.face_index is not None and service.face_index.count() == len(faces)
    for face in faces:
        person = service.store.get(face.parent_id)  # type: ignore[arg-type]
        assert person is not None and person.type == "person" and person.attributes["face_id"] == face.id
        assert person.gender == face.gender in ("male", "female")
        assert person.age_low is not None and person.age_up is not None and person.age_low < person.age_up
        assert 0 < person.attributes["gender"]["confidence"] <= 1 and 0 < person.attributes["age"]["confidence"] <= 1
        assert face.vector() is not None and face.vector().shape == (1024,)  # type: ignore[union-attr]
        px1, py1, px2, py2 = person.box  # type: ignore[misc]
        fx1, fy1, fx2, fy2 = face.box  # type: ignore[misc]
        assert px1 - 1 <= fx1 < fx2 <= px2 + 1 and py1 - 1 <= fy1 < fy2 <= py2 + 1  # the face is the person's
    doc = export(faces + [service.store.get(faces[0].parent_id)])  # type: ignore[list-item]
    fo = doc["FaceListObject"]["FaceObject"][0]
    assert len(fo["FaceID"]) == 48 and fo["FaceID"][-7:-5] == "06" and fo["GenderCode"] in ("1", "2")
    assert fo["AgeLowerLimit"] < fo["AgeUpLimit"]
    assert doc["PersonListObject"]["PersonObject"][0]["GenderCode"] in ("1", "2")

    analyzer = service.face_analyzer()
    lin, alex = (
        analyzer.analyze(cv2.imread(str(faces_dir / name)))[0].embedding
        for name in ("lin-manuel-miranda.png", "alex-lacamoire.png")
    )
    with api_client(platform) as client:
        photo = (faces_dir / "lin-manuel-miranda.png").read_bytes()
        r = client.post("/api/search/by-image", files={"image": ("lin.png", photo, "image/png")}, params={"k": 5})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["kind"] == "face" and all(i["type"] == "face" for i in body["items"])
        top = service.store.get(body["items"][0]["id"])
        assert top is not None and body["items"][0]["score"] >= 0.56  # the watchlist threshold: same person
        vec = top.vector()
        assert float(vec @ lin) > float(vec @ alex)  # it is Lin-Manuel Miranda's face, not his colleague's
        scores = [i["score"] for i in body["items"]]
        assert scores == sorted(scores, reverse=True)
        people = client.post("/api/search/by-image", files={"image": ("lin.png", photo)}, params={"kind": "body"})
        assert people.json()["kind"] == "body" and all(i["type"] == "person" for i in people.json()["items"])
        blank = cv2.imencode(".png", np.full((120, 120, 3), 128, np.uint8))[1].tobytes()
        noface = client.post("/api/search/by-image", files={"image": ("b.png", blank)}, params={"kind": "face"})
        assert noface.status_code == 422 and "face" in noface.text

        # Record pictures follow the evidence policy: clear for see_identities, faces masked otherwise.
        person = service.store.get(faces[0].parent_id)  # type: ignore[arg-type]
        clear = client.get(f"/api/records/{person.id}/snapshot.jpg")  # type: ignore[union-attr]
        assert clear.status_code == 200
        assert clear.content == service.store.media_path(person.snapshot_path).read_bytes()  # type: ignore[union-attr]
    with api_client(platform, "viewer", see_identities=False) as viewer:
        masked = viewer.get(f"/api/records/{person.id}/snapshot.jpg")  # type: ignore[union-attr]
        assert masked.status_code == 200 and masked.content != clear.content
        before, after = _decode(clear.content), _decode(masked.content)
        # The identity is gone: no face found where it was, or not one that matches the recorded face.
        again = [
            f for f in analyzer.analyze(after, tuple(person.box)) if float(f.embedding @ faces[0].vector()) >= 0.56
        ]  # type: ignore[arg-type,union-attr]
        assert again == []
        x1, y1, x2, y2 = (int(v) for v in faces[0].box)  # type: ignore[misc]
        diff = np.abs(before.astype(int) - after.astype(int)).mean(axis=2)
        inside, outside = diff[y1:y2, x1:x2].mean(), diff[y2 + 40 :, :].mean()
        assert inside > 5 * max(outside, 1.0)  # the face is what changed, not the rest of the picture
        crop = viewer.get(f"/api/records/{faces[0].id}/crop.jpg")
        assert crop.status_code == 200
    views = [e for e in platform.audit.entries(limit=1000) if e.action == "evidence.view" and e.target == person.id]  # type: ignore[attr-defined,union-attr]
    assert {v.detail["masked"] for v in views} == {True, False}
