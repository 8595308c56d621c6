"""Search: plate matching rules, and the API by attributes, by uploaded picture and by plate."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import cv2
import pytest

from anfang.config.models import AppConfig
from anfang.platform import Platform
from anfang.search.plates import match_plates, plate_distance, sql_prefilter
from anfang.structuring.component import Structuring
from anfang.structuring.service import Observation
from anfang.vision.hog import HogDetector
from tests.api_auth import api_client

PLATES = [("a", "皖A8E18"), ("b", "皖AB E18"), ("c", "皖AXE18"), ("d", "京A8E18"), ("e", "皖A12E18"), ("f", "皖A8E1")]


def test_plate_exact_and_wildcard() -> None:
    assert [r for r, _p, _d in match_plates("皖a·8e18", PLATES, "exact")] == ["a"]
    assert {r for r, _p, _d in match_plates("皖A*E18", PLATES, "wildcard")} == {"a", "b", "c", "e"}
    assert {r for r, _p, _d in match_plates("皖A?E18", PLATES, "wildcard")} == {"a", "b", "c"}
    assert {r for r, _p, _d in match_plates("*E18", PLATES, "wildcard")} == {"a", "b", "c", "d", "e"}
    with pytest.raises(ValueError, match="mode"):
        match_plates("x", PLATES, "regex")  # type: ignore[arg-type]


def test_plate_fuzzy_prefers_ocr_confusions() -> None:
    assert plate_distance("皖A8E18", "皖ABE18") == 0.5  # 8/B: a typical misread
    assert plate_distance("皖A8E18", "皖AXE18") == 1.0  # arbitrary substitution
    assert plate_distance("皖A8E18", "皖A8E1") == 1.0  # a dropped character
    assert plate_distance("皖A8E18", "皖A8E18") == 0.0
    found = match_plates("皖A8E18", PLATES, "fuzzy", max_distance=0.5)
    assert [r for r, _p, _d in found] == ["a", "b"]
    assert [d for _r, _p, d in found] == [0.0, 0.5]
    loose = {r: d for r, _p, d in match_plates("皖A8E18", PLATES, "fuzzy", max_distance=1.0)}
    assert loose == {"a": 0.0, "b": 0.5, "c": 1.0, "d": 1.0, "f": 1.0}  # e (8→12) is 2 edits away
    assert {r for r, _p, _d in match_plates("皖A*E1B", PLATES, "fuzzy", max_distance=0.5)} == {"a", "b", "c", "e"}


def test_sql_prefilter_never_drops_a_match() -> None:
    """The database prefilter (GLOB + length) keeps every plate the Python matcher accepts, and prunes."""
    import random
    import sqlite3

    rng = random.Random(4)
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
    plates = [("皖" if i % 3 else "京") + "".join(rng.choice(alphabet) for _ in range(6)) for i in range(3000)]
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE p (id INTEGER, plate TEXT)")
    db.executemany("INSERT INTO p VALUES (?, ?)", enumerate(plates))
    queries = [plates[7], plates[7][:4] + "8" + plates[7][5:], "皖A*E18", "*" + plates[9][-3:], plates[11][:-1]]
    pruned = 0
    for q in queries:
        for mode, maxd in (("exact", 0.0), ("wildcard", 0.0), ("fuzzy", 0.5), ("fuzzy", 1.0), ("fuzzy", 2.0)):
            globs, lengths = sql_prefilter(q, mode, maxd)  # type: ignore[arg-type]
            where = " OR ".join("plate GLOB ?" for _ in globs or []) or "1"
            sql = f"SELECT id, plate FROM p WHERE ({where})"
            if lengths:
                sql += f" AND length(plate) BETWEEN {lengths[0]} AND {lengths[1]}"
            kept = {str(i) for i, _p in db.execute(sql, globs or [])}
            truth = {r for r, _p, _d in match_plates(q, [(str(i), p) for i, p in enumerate(plates)], mode, maxd)}  # type: ignore[arg-type]
            assert truth <= kept, (q, mode, maxd)
            pruned += len(kept) < len(plates)
    assert pruned >= 15  # it is a real filter, not "keep everything"


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[Platform]:
    cfg = AppConfig.model_validate({"data_dir": str(tmp_path / "data"), "detector": {"type": "hog"}})
    p = Platform(cfg, detector=HogDetector())
    p.start()
    yield p
    p.stop()


@pytest.mark.models
def test_search_api(platform: Platform, shared_data: Path, models_dir: Path) -> None:
    from anfang.vision.combo import ComboDetector

    platform.config.models_dir = models_dir
    service = platform.get(Structuring).service
    root = shared_data / "reid" / "person_search_demo"
    detector = ComboDetector(models_dir)
    ids_by_frame: dict[str, list[str]] = {}
    for n, stem in enumerate(["c1s1_001051", "c1s1_002301", "c1s1_009476", "c1s1_014901"]):
        image = cv2.imread(str(root / "frames" / f"{stem}.jpg"))
        dets = detector.detect(image)
        for i in range(len(dets)):
            if dets.class_id[i] != 0:
                continue
            box = tuple(float(v) for v in dets.xyxy[i])
            obs = Observation(stem, i, "person", image, box, float(dets.confidence[i]), 1.0,  # type: ignore[arg-type]
                              1000.0 + n, 999.0 + n, 1001.0 + n, 5)  # fmt: skip
            ids_by_frame.setdefault(stem, []).append(service.record(obs))
    assert len(ids_by_frame["c1s1_001051"]) >= 1 and sum(map(len, ids_by_frame.values())) >= 8
    service.store.add_many([
        {"id": f"v{r}", "type": "motor_vehicle", "object_class": "car", "camera_id": "gate", "appear_time": 5.0,
         "disappear_time": 6.0, "shot_time": 5.5, "plate_no": p, "vehicle_color": "white", "attributes": {}}
        for r, p in PLATES
    ])  # fmt: skip
    with api_client(platform) as client:
        query = (root / "query" / "0001_c1s1_001051_00.jpg").read_bytes()
        r = client.post("/api/search/by-image", files={"image": ("q.jpg", query, "image/jpeg")}, params={"k": 5})
        assert r.status_code == 200, r.text
        items = r.json()["items"]
        assert items[0]["camera_id"] == "c1s1_001051" and items[0]["score"] > 0.9
        assert items[0]["score"] >= items[-1]["score"]
        assert client.get(items[0]["crop_url"]).headers["content-type"] == "image/jpeg"
        only = client.post(
            "/api/search/by-image", files={"image": ("q.jpg", query)}, params={"camera_id": "c1s1_002301"}
        )
        assert {i["camera_id"] for i in only.json()["items"]} == {"c1s1_002301"}
        bad = client.post("/api/search/by-image", files={"image": ("q.jpg", b"not a picture")})
        assert bad.status_code == 422 and "image" in bad.text
        # Attribute search finds the query person's record by its own colours, and nothing of another colour.
        rec = client.get(f"/api/records/{items[0]['id']}").json()
        names = {a["name"]: a for a in rec["attributes"]}
        coat = names["upper_color"]["value"]
        assert 0 < names["upper_color"]["confidence"] <= 1
        found = client.get("/api/search/records", params={"type": "person", "coat_color": coat}).json()["items"]
        assert items[0]["id"] in {i["id"] for i in found}
        assert all({a["name"]: a["value"] for a in i["attributes"]}["upper_color"] == coat for i in found)
        window = client.get("/api/search/records", params={"type": "person", "since": 1001, "until": 1002}).json()
        assert {i["camera_id"] for i in window["items"]} == {"c1s1_002301"}
        assert client.get("/api/search/records", params={"coat_color": "plaid"}).status_code == 422
        # GA/T 1400 export of one record and of a batch.
        gat = client.get(f"/api/records/{items[0]['id']}/gat1400").json()
        assert gat["PersonListObject"]["PersonObject"][0]["CoatColor"] == names["upper_color"]["code"]
        batch = client.get("/api/records/export/gat1400").json()
        assert len(batch["MotorVehicleListObject"]["MotorVehicleObject"]) == len(PLATES)
        assert len(batch["PersonListObject"]["PersonObject"]) == sum(map(len, ids_by_frame.values()))
        # Plates.
        wild = client.get("/api/search/plates", params={"q": "皖A*E18", "mode": "wildcard"}).json()["items"]
        assert {i["plate_no"] for i in wild} == {"皖A8E18", "皖AB E18", "皖AXE18", "皖A12E18"}
        fuzzy = client.get("/api/search/plates", params={"q": "皖A8E18", "mode": "fuzzy", "max_distance": 0.5}).json()
        assert [(i["plate_no"], i["distance"]) for i in fuzzy["items"]] == [("皖A8E18", 0.0), ("皖AB E18", 0.5)]
        none = client.get("/api/search/plates", params={"q": "皖A8E18", "camera_id": "elsewhere"}).json()
        assert none["items"] == []
