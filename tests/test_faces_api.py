"""Watchlists through the API (authenticated), and watchlist matches on a real video clip."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from anfang.config.models import AppConfig
from anfang.events.model import Event
from anfang.faces.component import Faces
from anfang.pipeline.camera import CameraPipeline
from anfang.platform import Platform
from anfang.sources.base import create_source
from tests.api_auth import api_client


@pytest.fixture
def faces_dir(shared_data: Path) -> Path:
    return shared_data / "faces" / "face_recognition"


def make_platform(tmp_path: Path, models_dir: Path, enabled: bool = False) -> Platform:
    cfg = AppConfig.model_validate(
        {
            "data_dir": str(tmp_path / "data"),
            "models_dir": str(models_dir),
            "detector": {"type": "ssdlite"},
            "faces": {"enabled": enabled},
        }
    )
    return Platform(cfg)


@pytest.fixture
def client(tmp_path: Path, models_dir: Path) -> Iterator[tuple[TestClient, Platform]]:
    platform = make_platform(tmp_path, models_dir)
    with api_client(platform, "admin") as c:
        yield c, platform


def test_watchlist_crud_upload_and_compare(client: tuple[TestClient, Platform], faces_dir: Path) -> None:
    c, platform = client
    r = c.post("/api/watchlists", json={"name": "vip", "kind": "whitelist"})
    assert r.status_code == 201, r.text
    wid = r.json()["id"]
    assert c.post("/api/watchlists", json={"name": "vip"}).status_code == 409
    assert c.post("/api/watchlists", json={"name": "x", "kind": "greylist"}).status_code == 422
    photos = [("photos", ("a.jpg", (faces_dir / p).read_bytes(), "image/jpeg")) for p in (
        "knn_examples/train/obama/obama.jpg", "knn_examples/train/obama/obama2.jpg")]  # fmt: skip
    r = c.post(f"/api/watchlists/{wid}/people", data={"name": "Obama"}, files=photos)
    assert r.status_code == 201, r.text
    person = r.json()
    assert person["name"] == "Obama" and len(person["photos"]) == 2
    assert all((platform.data_dir / "faces" / p["path"]).is_file() for p in person["photos"])
    bad = [("photos", ("n.txt", b"not an image", "text/plain"))]
    assert c.post(f"/api/watchlists/{wid}/people", data={"name": "X"}, files=bad).status_code == 422
    assert c.post("/api/watchlists/999/people", data={"name": "X"}, files=photos).status_code == 404
    assert [p["name"] for p in c.get(f"/api/watchlists/{wid}/people").json()] == ["Obama"]
    assert c.get("/api/watchlists").json()[0]["people"] == 1

    probe = (faces_dir / "knn_examples/test/obama1.jpg").read_bytes()
    library = platform.get(Faces).library
    match = library.match(library.analyzer.analyze(_decode(probe))[0].embedding, 0.56)
    assert match is not None and match.person == "Obama" and match.kind == "whitelist"

    files = {"image1": ("a.jpg", probe, "image/jpeg"), "image2": ("b.jpg", photos[0][1][1], "image/jpeg")}
    r = c.post("/api/faces/compare", files=files)
    assert r.status_code == 200 and r.json()["same"] is True
    other = (faces_dir / "knn_examples/train/biden/biden.jpg").read_bytes()
    r = c.post("/api/faces/compare", files={"image1": ("a.jpg", probe), "image2": ("b.jpg", other)})
    assert r.json()["same"] is False

    assert c.delete(f"/api/people/{person['id']}").status_code == 204
    assert c.get(f"/api/watchlists/{wid}/people").json() == []
    assert c.delete(f"/api/watchlists/{wid}").status_code == 204
    assert c.get(f"/api/watchlists/{wid}").status_code == 404


def test_viewer_cannot_enrol(tmp_path: Path, models_dir: Path) -> None:
    platform = make_platform(tmp_path, models_dir)
    with api_client(platform, "viewer") as c:
        assert c.get("/api/watchlists").status_code == 200
        assert c.post("/api/watchlists", json={"name": "x"}).status_code == 403


def _decode(data: bytes):  # noqa: ANN202 - numpy image
    from anfang.faces.library import decode_image

    return decode_image(data)


def test_watchlist_match_on_hamilton_clip(tmp_path: Path, models_dir: Path, faces_dir: Path) -> None:
    platform = make_platform(tmp_path, models_dir, enabled=True)
    library = platform.get(Faces).library
    wid = library.create_watchlist("hamilton", "blacklist")["id"]
    for name, photo in (("Lin-Manuel Miranda", "lin-manuel-miranda.png"), ("Alex Lacamoire", "alex-lacamoire.png")):
        library.add_person(wid, name, [(faces_dir / photo).read_bytes()])
    assert len(platform.observer_factories) >= 1  # attach() registered the watchlist observer
    cam = platform.config.model_validate(
        {
            "cameras": [
                {
                    "id": "h",
                    "detect_fps": 5,
                    "source": {"type": "file", "path": str(faces_dir / "short_hamilton_clip.mp4"), "realtime": False},
                }
            ]
        }  # fmt: skip
    ).cameras[0]
    events: list[Event] = []
    observers = [factory(cam) for factory in platform.observer_factories]
    pipeline = CameraPipeline(cam, platform.detector, events.append, observers=observers)
    source = create_source(cam.id, cam.source)
    with source:
        while (frame := source.read()) is not None:
            pipeline.process(frame)
    pipeline.stop()
    matches = [e for e in events if e.type == "watchlist_match"]
    assert matches, "no watchlist match in the clip"
    people = {e.attributes["person"] for e in matches}
    assert "Lin-Manuel Miranda" in people
    for e in matches:
        assert e.attributes["watchlist"] == "hamilton" and e.attributes["kind"] == "blacklist"
        assert e.attributes["similarity"] >= 0.56 and e.crop
    platform.stop()
