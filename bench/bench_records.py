"""Records at scale: ingest rows/s into the database and the vector index, and filtered query latency.

    python bench/bench_records.py [--n 200000] [--index-n 50000]

Rows are synthetic but shaped like real ones (12 colours, 20 cameras, 30 days, 512-d unit vectors,
plates on vehicles). Ingest goes through ``RecordService.add_rows`` (one transaction + one index batch per
5,000 rows); the database and the index are also timed separately so the slower one is visible. Queries:
attribute search (type + coat colour + 2 cameras + a 3-day window, newest 50), plate wildcard, and vector
search with a camera + time filter. Goals from the issue: ingest >= 20k rows/s, filtered query p95 <= 50 ms.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np
from sqlalchemy import insert

from anfang.records.config import RecordsConfig
from anfang.records.store import COLUMNS, RecordRow
from anfang.records.wiring import open_service
from anfang.search.plates import match_plates
from anfang.search.service import SearchService
from anfang.store.db import make_engine
from anfang.store.migrate import upgrade
from anfang.vision.attributes.colors import PALETTE

DAY = 86400.0


def rows(n: int, rng: np.random.Generator, t0: float, with_vectors: bool, vehicle_every: int = 4) -> list[dict]:
    vec = rng.standard_normal((n, 512), dtype=np.float32)
    vec /= np.linalg.norm(vec, axis=1, keepdims=True)
    shot = t0 + rng.uniform(0, 30 * DAY, n)
    out = []
    for i in range(n):
        person = i % vehicle_every != 0
        out.append({
            "id": uuid.uuid4().hex, "type": "person" if person else "motor_vehicle",
            "object_class": "person" if person else "car", "camera_id": f"cam{i % 20:02d}", "track_id": i,
            "appear_time": shot[i] - 3, "disappear_time": shot[i] + 3, "shot_time": shot[i], "box": [1, 2, 3, 4],
            "coat_color": PALETTE[i % 12] if person else None,
            "trousers_color": PALETTE[(i // 12) % 12] if person else None,
            "vehicle_color": None if person else PALETTE[i % 12],
            "plate_no": None if person else f"皖A{i % 100000:05d}",
            "attributes": {}, "embedding": vec[i].tobytes() if with_vectors and person else None,
            "embedding_model": "lomo" if person else None,
        })  # fmt: skip
    return out


def p(lat: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(lat) * 1000, q))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200_000, help="rows in the database")
    ap.add_argument("--index-n", type=int, default=50_000, help="of which the first ones also get vectors")
    ap.add_argument("--batch", type=int, default=5000)
    ap.add_argument("--vehicle-every", type=int, default=4, help="1 = every row a plated vehicle (plate scale)")
    args = ap.parse_args()
    rng = np.random.default_rng(1)
    t0 = 1_700_000_000.0
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(None, Path(tmp))
        upgrade(engine)
        service = open_service(engine, Path(tmp), RecordsConfig(enabled=True, pose=False, plates=False), None)
        base_engine = make_engine(None, Path(tmp) / "baseline")
        upgrade(base_engine)
        base = [rows(args.batch, rng, t0, args.index_n > 0, args.vehicle_every) for _ in range(4)]  # same shape
        t = time.perf_counter()
        for batch in base:  # baseline, same run: the portable SQLAlchemy Core executemany
            values = [{c: r.get(c) for c in COLUMNS} | {"created_at": 0.0} for r in batch]
            with base_engine.begin() as conn:
                conn.execute(insert(RecordRow), values)
        print(f"baseline database ingest (Core insert): {4 * args.batch / (time.perf_counter() - t):,.0f} rows/s")
        service.index.flush_min = 10**9  # time the graph build separately (below)
        db_s = ix_s = 0.0
        vec_rows = 0
        for start in range(0, args.n, args.batch):
            batch = rows(min(args.batch, args.n - start), rng, t0, start < args.index_n, args.vehicle_every)
            t = time.perf_counter()
            service.store.add_many(batch)
            db_s += time.perf_counter() - t
            if start + args.batch == 4 * args.batch:  # same table size as the baseline above
                print(f"database ingest, first {4 * args.batch:,} rows: {4 * args.batch / db_s:,.0f} rows/s")
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
            "exact": lambda i: f"皖A{i * 37 % 100000:05d}",
            "fuzzy": lambda i: f"皖A{i * 37 % 100000:05d}"[:-1] + "B",  # last digit misread: one edit
        }
        for mode, make in queries.items():
            lat = []
            for i in range(20):
                t = time.perf_counter()
                search.plates(make(i), mode.split("-")[0], limit=50, max_distance=1.0)  # type: ignore[arg-type]
                lat.append(time.perf_counter() - t)
            print(f"plate {mode} over {n_plates:,} plates: p50 {p(lat, 50):.1f} ms p95 {p(lat, 95):.1f} ms")
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
