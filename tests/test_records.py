"""Records from a real run on vtest.avi: one per person track, with colours, snapshot, vector, GA/T export."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from anfang.config import parse_config
from anfang.pipeline.camera import CameraPipeline
from anfang.sources.base import create_source
from anfang.store.db import make_engine
from anfang.store.migrate import upgrade
from anfang.structuring.config import RecordsConfig
from anfang.structuring.gat1400 import export, object_id
from anfang.structuring.service import open_service
from anfang.vision.attributes.colors import COLOR_CODES, PALETTE, name_colors


@pytest.mark.parametrize(
    ("bgr", "name"),
    [((20, 20, 20), "black"), ((240, 240, 240), "white"), ((128, 128, 128), "gray"), ((30, 30, 200), "red"),
     ((200, 60, 30), "blue"), ((40, 170, 40), "green"), ((30, 200, 230), "yellow"), ((20, 60, 100), "brown"),
     ((0, 128, 255), "orange"), ((180, 50, 140), "purple"), ((200, 200, 40), "cyan"), ((190, 150, 255), "pink")],
)  # fmt: skip
def test_colour_names(bgr: tuple[int, int, int], name: str) -> None:
    patch = np.zeros((20, 20, 3), np.uint8)
    patch[:] = bgr
    patch[:4] = (255, 255, 255) if name == "black" else (0, 0, 0)  # 20 % of another colour: lower confidence
    c = name_colors(patch)
    assert c is not None and c.name == name and c.confidence == pytest.approx(0.8, abs=0.01)
    assert c.code == COLOR_CODES[name]


@pytest.mark.models
def test_records_from_vtest(tmp_path: Path, vtest_video: Path, models_dir: Path) -> None:
    from anfang.structuring.builder import RecordBuilder
    from anfang.vision.ssdlite import SsdLiteDetector  # the combo's people half: this test checks people only

    cam = parse_config(
        {
            "cameras": [
                {
                    "id": "vtest",
                    "detect_fps": 5,
                    "source": {"type": "file", "path": str(vtest_video), "realtime": False},
                }
            ]
        }
    ).cameras[0]
    engine = make_engine(None, tmp_path)
    upgrade(engine)
    service = open_service(engine, tmp_path, RecordsConfig(enabled=True, plates=False), models_dir)
    builder = RecordBuilder(cam, service)
    pipeline = CameraPipeline(cam, SsdLiteDetector(models_dir), lambda e: None, observers=[builder])
    with create_source(cam.id, cam.source) as source:
        for i in range(240):  # 24 s of campus CCTV: people walk in and out
            frame = source.read()
            assert frame is not None
            pipeline.process(frame)
            if i == 150:
                assert builder.written > 0  # tracks that ended mid-run are written without waiting for close
    pipeline.stop()  # closes the builder: open tracks are flushed
    rows = service.store.query(type="person", limit=1000)
    assert len(rows) >= 5
    assert service.index.count() == len(rows)
    for row in rows:
        assert row.appear_time <= row.shot_time <= row.disappear_time
        assert service.store.media_path(row.snapshot_path).is_file()  # type: ignore[union-attr]
        crop = cv2.imread(str(service.store.media_path(row.crop_path)))
        x1, y1, x2, y2 = row.box  # type: ignore[misc]
        assert crop.shape[:2] == (int(y2 - y1), int(x2 - x1))
        assert row.coat_color in PALETTE and row.trousers_color in PALETTE
        conf = row.attributes["upper_color"]["confidence"]
        assert 0 < conf <= 1
        assert row.vector() is not None and row.vector().shape == (512,)  # type: ignore[union-attr]
    assert len({r.coat_color for r in rows}) >= 2  # not one colour for everybody
    assert any(r.attributes["region_source"] == "pose" for r in rows)  # movenet placed the regions
    # Each person's own crop finds its own record first.
    row = rows[0]
    crop = cv2.imread(str(service.store.media_path(row.crop_path)))
    assert service.index.search(service.embedder.embed(crop), 1)[0].id == row.id
    # GA/T 1400 export.
    doc = export(rows)
    people = doc["PersonListObject"]["PersonObject"]
    assert len(people) == len(rows)
    first = people[0]
    assert len(first["PersonID"]) == 48 and first["PersonID"] == object_id(rows[0])
    assert first["CoatColor"] == COLOR_CODES[rows[0].coat_color]  # type: ignore[index]
    assert {"LeftTopX", "RightBtmY", "PersonAppearTime", "PersonDisAppearTime", "DeviceID"} <= set(first)
    assert first["SubImageList"]["SubImageInfoObject"][0]["Type"] == "10"
    # Reload: index persisted on close, same answers.
    again = open_service(engine, tmp_path, RecordsConfig(enabled=True, plates=False), models_dir)
    assert again.index.count() == len(rows)
    # Retention: everything older than the future goes, rows, files and vectors.
    snap = service.store.media_path(row.snapshot_path)
    assert again.purge(cutoff=row.shot_time + 1e9) == len(rows)
    assert again.store.count() == 0 and again.index.count() == 0 and not snap.is_file()  # type: ignore[union-attr]
