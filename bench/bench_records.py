"""Records at scale: ingest rows/s into the database and the vector index, and filtered query latency.

    python bench/bench_records.py [--n 200000] [--index-n 50000] [--distinct-plates 50000]

Rows are synthetic but shaped like real ones (12 colours, 20 cameras, 30 days, 512-d unit vectors,
plates on vehicles). Ingest goes through ``RecordService.add_rows`` (one transaction + one index batch per
5,000 rows); the database and the index are also timed separately so the slower one is visible. Queries:
attribute search (type + coat colour + 2 cameras + a 3-day window, newest 50), plate wildcard, and vector
search with a camera + time filter. Goals from the issue: ingest >= 20k rows/s, filtered query p95 <= 50 ms.

Baselines in the same run: database ingest through the old path (random uuid4 ids, schema at revision
0006 with 9 B-trees, 5,000-row transactions) interleaved batch by batch with the new one, so both see the
same machine load; fuzzy plate search through the SQL prefilter + Python matcher next to the deletion index.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path

import numpy as np

from anfang.search.plate_index import PlateIndex
from anfang.search.plates import match_plates, sql_prefilter
from anfang.search.service import SearchService
from anfang.store.db import make_engine
from anfang.store.migrate import upgrade
from anfang.structuring.config import RecordsConfig
from anfang.structuring.ids import new_record_id
from anfang.structuring.service import open_service
from anfang.structuring.store import RecordStore
from anfang.vision.attributes.colors import PALETTE

DAY = 86400.0


def plate_pool(n: int, seed: int = 3) -> list[str]:
    """``n`` distinct plates shaped like 皖A12B45: one province, a letter A-H, 5 characters mostly digits."""
    rnd = random.Random(seed)
    chars = "0123456789" * 4 + "ABCDEFGHJKLMNPQRSTUVWXYZ"
    pool: set[str] = set()
    while len(pool) < n:
        pool.add("皖" + rnd.choice("ABCDEFGH") + "".join(rnd.choice(chars) for _ in range(5)))
    return sorted(pool, key=lambda p: rnd.random())


def rows(
    n: int,
    rng: np.random.Generator,
    t0: float,
    with_vectors: bool,
    vehicle_every: int = 4,
    plates: list[str] | None = None,
    random_ids: bool = False,
) -> list[dict]:
    vec = rng.standard_normal((n, 512), dtype=np.float32)
    vec /= np.linalg.norm(vec, axis=1, keepdims=True)
    shot = t0 + rng.uniform(0, 30 * DAY, n)
    out = []
    for i in range(n):
        person = i % vehicle_every != 0
        out.append({
            "id": uuid.uuid4().hex if random_ids else new_record_id(), "type": "person" if person else "motor_vehicle",
            "object_class": "person" if person else "car", "camera_id": f"cam{i % 20:02d}", "track_id": i,
            "appear_time": shot[i] - 3, "disappear_time": shot[i] + 3, "shot_time": shot[i], "box": [1, 2, 3, 4],
            "coat_color": PALETTE[i % 12] if person else None,
            "trousers_color": PALETTE[(i // 12) % 12] if person else None,
            "vehicle_color": None if person else PALETTE[i % 12],
            "plate_no": None if person else plates[int(rng.integers(len(plates)))] if plates else f"皖A{i:05d}",
            "attributes": {}, "embedding": vec[i].tobytes() if with_vectors and person else None,
            "embedding_model": "lomo" if person else None,
        })  # fmt: skip
    return out


_MISREAD = dict(zip("0123456789ABDGSZ", "DI2EA5G1B9480625", strict=True))


def misread(plate: str, i: int) -> str:
    """One OCR misread: a confusable character where the plate has one, else an unrelated one (one edit)."""
    spots = [k for k, c in enumerate(plate) if c in _MISREAD and k > 1]
    k = spots[i % len(spots)] if spots else len(plate) - 1
    return plate[:k] + _MISREAD.get(plate[k], "X") + plate[k + 1 :]


def p(lat: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(lat) * 1000, q))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200_000, help="rows in the database")
    ap.add_argument("--index-n", type=int, default=50_000, help="of which the first ones also get vectors")
    ap.add_argument("--batch", type=int, default=20_000, help="rows per transaction")
    ap.add_argument("--vehicle-every", type=int, default=4, help="1 = every row a plated vehicle (plate scale)")
    ap.add_argument("--distinct-plates", type=int, default=50_000, help="plate pool the vehicle rows draw from")
    ap.add_argument("--no-baseline", dest="baseline", action="store_false", help="skip the old ingest path")
    args = ap.parse_args()
    rng = np.random.default_rng(1)
    t0 = 1_700_000_000.0
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(None, Path(tmp))
        upgrade(engine)
        service = open_service(engine, Path(tmp), RecordsConfig(enabled=True, pose=False, plates=False), None)
        base_engine = make_engine(None, Path(tmp) / "baseline")
        upgrade(base_engine, "0006_records_plate_norm")  # the old schema: 9 B-trees
        old_store = RecordStore(base_engine, Path(tmp) / "baseline-media", plate_index=False)
        pool = plate_pool(args.distinct_plates)
        service.index.flush_min = 10**9  # time the graph build separately (below)
        db_s = ix_s = old_s = 0.0
        vec_rows = 0
        for start in range(0, args.n, args.batch):
            size = min(args.batch, args.n - start)
            batch = rows(size, rng, t0, start < args.index_n, args.vehicle_every, pool)
            t = time.perf_counter()
            service.store.add_many(batch)  # also keeps the fuzzy plate index current
            db_s += time.perf_counter() - t
            if args.baseline:  # old path, same rows' shape, interleaved: random ids, old indexes, 5k per commit
                old = rows(size, rng, t0, start < args.index_n, args.vehicle_every, pool, random_ids=True)
                t = time.perf_counter()
                for s0 in range(0, size, 5000):
                    old_store.add_many(old[s0 : s0 + 5000])
                old_s += time.perf_counter() - t
            if start + size == 20_000 or start + size == args.n:
                print(f"database ingest, first {start + size:,} rows: {(start + size) / db_s:,.0f} rows/s "
                      f"(batch {args.batch:,}); old path (uuid4, 9 indexes, batch 5,000): "
                      f"{(start + size) / old_s if old_s else 0:,.0f} rows/s")  # fmt: skip
            with_vec = [r for r in batch if r["embedding"] is not None]
            if with_vec:
                vecs = np.stack([np.frombuffer(r["embedding"], np.float32) for r in with_vec])
                t = time.perf_counter()
                service.index.add([r["id"] for r in with_vec], vecs, [r["camera_id"] for r in with_vec],
                                  [r["shot_time"] for r in with_vec])  # fmt: skip
                ix_s += time.perf_counter() - t
                vec_rows += len(with_vec)
        print(f"rows {args.n:,} (vectors {vec_rows:,}); database ingest {args.n / db_s:,.0f} rows/s; "
              f"index ingest {vec_rows / max(ix_s, 1e-9):,.0f} rows/s; "
              f"together {vec_rows / max(ix_s + db_s * vec_rows / args.n, 1e-9):,.0f} rows/s with vectors")  # fmt: skip
        fresh = RecordStore(engine, Path(tmp) / "records", plate_index=False)
        t = time.perf_counter()
        distinct = len(fresh.plate_index())
        print(f"fuzzy plate index build from the database: {distinct:,} distinct plates in "
              f"{time.perf_counter() - t:.2f} s")  # fmt: skip
        del fresh
        tracemalloc.start()
        probe = PlateIndex()
        probe.add(pool[:distinct])
        print(
            f"fuzzy plate index memory ({len(probe):,} plates): {tracemalloc.get_traced_memory()[0] / 2**20:,.0f} MiB"
        )
        tracemalloc.stop()
        del probe
        t = time.perf_counter()
        service.index._graph.set_threads(2)
        built = service.index.flush()
        print(f"graph build of the pending tail (2 threads): {built / max(time.perf_counter() - t, 1e-9):,.0f} rows/s")
        search = SearchService(service)
        lat: list[float] = []
        found = 0
        for i in range(100):
            since = t0 + (i % 27) * DAY
            t = time.perf_counter()
            res = search.attributes("person", ["cam01", "cam05"], since, since + 3 * DAY, 50,
                                    coat_color=PALETTE[i % 12])  # fmt: skip
            lat.append(time.perf_counter() - t)
            found += len(res)
        print(f"attribute query (type+colour+2 cameras+3 days, 50 newest): p50 {p(lat, 50):.1f} ms "
              f"p95 {p(lat, 95):.1f} ms (avg {found / 100:.0f} hits)")  # fmt: skip
        n_plates = len(range(0, args.n, args.vehicle_every))
        lat = []
        for i in range(5):  # baseline, same run: every plate in range, matched in Python
            t = time.perf_counter()
            match_plates(f"皖A{i:02d}*", service.store.plates(), "wildcard")[:50]
            lat.append(time.perf_counter() - t)
        print(f"baseline plate wildcard over {n_plates:,} plates (Python scan): p50 {p(lat, 50):.1f} ms")
        queries = {
            "wildcard": lambda i: f"皖A{i:02d}*",
            "wildcard-suffix": lambda i: f"*{i:03d}8",
            "exact": lambda i: pool[i * 37 % len(pool)],
            "fuzzy": lambda i: misread(pool[i * 37 % len(pool)], i),
        }
        for mode, make in queries.items():
            lat = []
            for i in range(20):
                t = time.perf_counter()
                search.plates(make(i), mode.split("-")[0], limit=50, max_distance=1.0)  # type: ignore[arg-type]
                lat.append(time.perf_counter() - t)
            print(f"plate {mode} over {n_plates:,} plates: p50 {p(lat, 50):.1f} ms p95 {p(lat, 95):.1f} ms")
        lat = []
        for i in range(5):  # baseline, same run: the SQL pigeonhole prefilter + Python matcher (before the index)
            q_plate = misread(pool[i * 37 % len(pool)], i)
            globs, lengths = sql_prefilter(q_plate, "fuzzy", 1.0)
            t = time.perf_counter()
            match_plates(q_plate, service.store.plates(None, None, None, globs, lengths), "fuzzy", 1.0)[:50]
            lat.append(time.perf_counter() - t)
        print(f"baseline plate fuzzy (SQL prefilter + Python matcher): p50 {p(lat, 50):.1f} ms")
        lat = []
        q = rng.standard_normal((100, 512), dtype=np.float32)
        for i in range(100):
            since = t0 + (i % 27) * DAY
            t = time.perf_counter()
            service.index.search(q[i] / np.linalg.norm(q[i]), 20, ["cam01", "cam05"], since, since + 3 * DAY)
            lat.append(time.perf_counter() - t)
        print(f"vector query (2 cameras + 3 days): p50 {p(lat, 50):.2f} ms p95 {p(lat, 95):.2f} ms")


if __name__ == "__main__":
    main()
