"""Fuzzy plate index (symmetric delete) against brute force, ranking, upkeep; time-ordered record ids."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from sqlalchemy import inspect

from anfang.search.plate_index import PlateIndex, deletion_variants, plate_key
from anfang.search.plates import plate_distance
from anfang.store.db import make_engine
from anfang.store.migrate import upgrade
from anfang.structuring.ids import new_record_id
from anfang.structuring.store import RecordStore

# A small alphabet dense in OCR-confusable characters, so random plates have many near neighbours.
ALPHABET = "0DOQUV8B5S2Z1IL7T6GC4AMNHKX9"


def _mutate(plate: str, rng: random.Random, edits: int) -> str:
    chars = list(plate)
    for _ in range(edits):
        op = rng.choice("sid")
        pos = rng.randrange(len(chars) + (op == "i"))
        if op == "s" and chars:
            chars[min(pos, len(chars) - 1)] = rng.choice(ALPHABET)
        elif op == "i":
            chars.insert(pos, rng.choice(ALPHABET))
        elif len(chars) > 1:
            del chars[min(pos, len(chars) - 1)]
    return "".join(chars)


@pytest.mark.parametrize("depth,distances", [(1, (0.5, 1.0, 1.5)), (2, (2.0, 2.5))])
def test_index_finds_exactly_what_brute_force_finds(depth: int, distances: tuple[float, ...]) -> None:
    rng = random.Random(depth)
    plates = sorted({"皖" + "".join(rng.choice(ALPHABET) for _ in range(rng.randint(4, 6))) for _ in range(900)})
    index = PlateIndex(depth)
    index.add(plates[:600])  # bulk path (sorted arrays) ...
    index.add(plates[600:])  # ... and the incremental path (pending dict)
    queries = [_mutate(rng.choice(plates), rng, rng.randint(0, 3)) for _ in range(100)]
    hits = 0
    for q in queries:
        dist = {p: plate_distance(q, p) for p in plates}
        for d in distances:
            assert index.covers(q, d)
            brute = sorted(p for p in plates if dist[p] <= d)
            assert sorted(p for p, _ in index.search(q, d)) == brute, (q, d)
            hits += len(brute)
    assert hits > len(queries)  # the comparison is not vacuous: most queries have neighbours


def test_confusable_substitutions_rank_first() -> None:
    index = PlateIndex()
    index.add(["皖A01238", "皖A01234", "皖A0123", "皖A012389", "皖AO1238", "京A0123B"])
    found = index.search("皖A0123B", 1.0)
    assert found[0] == ("皖A01238", 0.5)  # B read for 8: half an edit, ahead of every whole edit
    assert dict(found) == {
        "皖A01238": 0.5,
        "皖AO1238": 1.0,  # two confusions
        "皖A01234": 1.0,  # B for 4 is not a confusion
        "皖A0123": 1.0,  # one deletion
        "京A0123B": 1.0,  # another province
    }  # 皖A012389 is 1.5 away (a confusion and an insertion)


def test_keys_and_variants() -> None:
    assert plate_key("D0O8B") == plate_key("00088") == plate_key("QUV8B")
    assert plate_key("皖A12") == "皖412"
    assert deletion_variants("ABC", 1) == {"ABC", "BC", "AC", "AB"}
    assert len(deletion_variants("ABCD", 2)) == 1 + 4 + 6


def test_covers_only_what_it_answers_exactly() -> None:
    index = PlateIndex(depth=1)
    assert index.covers("皖A12345", 1.0) and index.covers("皖A12345", 1.5)
    assert not index.covers("皖A12345", 2.0)  # two plain edits need depth 2
    assert not index.covers("皖A1*", 1.0) and not index.covers("皖A1?345", 1.0)


def test_discard_and_revive() -> None:
    index = PlateIndex()
    index.add(["皖A12345", "皖A12346"])
    index.discard(["皖A12345"])
    assert [p for p, _ in index.search("皖A12345", 1.0)] == ["皖A12346"]
    assert "皖A12345" not in index and len(index) == 1
    assert index.add(["皖A12345"]) == 1
    assert [p for p, _ in index.search("皖A12345", 1.0)] == ["皖A12345", "皖A12346"]


def test_record_ids_sort_by_time_and_keep_the_format() -> None:
    ids = [new_record_id() for _ in range(2000)]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert all(len(i) == 32 and int(i, 16) >= 0 for i in ids)
    assert new_record_id(now_ms=1) > ids[-1]  # the clock stepping back does not reorder
    later = new_record_id(now_ms=int(ids[-1][:12], 16) + 10_000)
    assert later[:12] > ids[-1][:12]


def _row(rid: str, plate: str | None, shot: float) -> dict:
    return {"id": rid, "type": "motor_vehicle" if plate else "person", "camera_id": "cam1", "shot_time": shot,
            "appear_time": shot, "disappear_time": shot, "plate_no": plate, "attributes": {}}  # fmt: skip


def test_store_keeps_the_plate_index_current(tmp_path: Path) -> None:
    engine = make_engine(None, tmp_path)
    upgrade(engine)
    store = RecordStore(engine, tmp_path / "records", plate_index=False)
    store.add_many([_row(new_record_id(), "皖A·01238", 100.0), _row(new_record_id(), None, 100.0)])
    assert [(p, d) for _, p, d in store.fuzzy_plates("皖A0123B", 1.0) or []] == [("皖A·01238", 0.5)]
    store.add_many([_row(new_record_id(), "皖A01234", 200.0)])  # after the build: applied incrementally
    assert {p for _, p, _ in store.fuzzy_plates("皖A0123B", 1.0) or []} == {"皖A·01238", "皖A01234"}
    assert store.fuzzy_plates("皖A0123*", 1.0) is None  # wildcards: SQL prefilter path
    assert store.purge(150.0)
    assert "皖A01238" not in store.plate_index() and "皖A01234" in store.plate_index()
    assert {p for _, p, _ in store.fuzzy_plates("皖A0123B", 1.0, camera_ids=["cam1"]) or []} == {"皖A01234"}
    assert store.fuzzy_plates("皖A0123B", 1.0, camera_ids=["cam2"]) == []


def test_records_indexes_after_migration(tmp_path: Path) -> None:
    engine = make_engine(None, tmp_path)
    upgrade(engine)
    names = {ix["name"] for ix in inspect(engine).get_indexes("records")}
    assert "ix_records_plate_no" not in names and "ix_records_plate_norm" in names
    with engine.connect() as conn:
        sql = dict(conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE tbl_name = 'records'").all())
    for name in ("ix_records_coat_color_shot_time", "ix_records_vehicle_color_shot_time", "ix_records_plate_norm"):
        assert "IS NOT NULL" in sql[name]
