"""Vector index: hnswlib vs FAISS HNSW, raw library vs our AnnIndex layer, against exact search.

    python bench/bench_index.py [--n 100000] [--dim 512] [--queries 500]

Data: unit vectors around 2,000 cluster centres (appearance embeddings of the same people/clothes cluster;
uniform random vectors would make every method look bad and no real data looks like that). Queries are
held-out points from the same clusters. Ground truth: exact inner-product top-10 with numpy (blocked).
Reports per backend: ingest rows/s (``add``: pending tail), graph build rows/s (``flush``),
p50/p99 single-query latency (1 thread), recall@10, and our layer's
p50 divided by the raw library's with the same M/efConstruction/efSearch (overhead), plus filtered queries
(camera = 1 of 10, a 50 % time window, both) through our layer.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from anfang.search.index import EF_SEARCH, AnnIndex


def clustered(n: int, dim: int, rng: np.random.Generator, centres: np.ndarray) -> np.ndarray:
    labels = rng.integers(0, len(centres), n)
    x = centres[labels] + rng.standard_normal((n, dim), dtype=np.float32) * 1.0 / np.sqrt(dim)
    x += rng.standard_normal((n, dim), dtype=np.float32) * 0.02
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def exact_topk(data: np.ndarray, queries: np.ndarray, k: int, mask: np.ndarray | None = None) -> np.ndarray:
    best = np.full((len(queries), k), -np.inf, np.float32)
    ids = np.zeros((len(queries), k), np.int64)
    for start in range(0, len(data), 50_000):
        block = data[start : start + 50_000]
        sims = queries @ block.T
        if mask is not None:
            sims[:, ~mask[start : start + 50_000]] = -np.inf
        cat_s = np.concatenate([best, sims], axis=1)
        cat_i = np.concatenate([ids, np.arange(start, start + len(block))[None].repeat(len(queries), 0)], axis=1)
        top = np.argpartition(-cat_s, k, axis=1)[:, :k]
        best, ids = np.take_along_axis(cat_s, top, 1), np.take_along_axis(cat_i, top, 1)
    return ids


def recall(found: list[np.ndarray], truth: np.ndarray) -> float:
    return float(np.mean([len(set(f.tolist()) & set(t.tolist())) / len(t) for f, t in zip(found, truth, strict=True)]))


def timed(fn, queries: np.ndarray) -> tuple[list, np.ndarray]:  # noqa: ANN001
    out, lat = [], []
    for q in queries:
        t0 = time.perf_counter()
        out.append(fn(q))
        lat.append(time.perf_counter() - t0)
    return out, np.asarray(lat) * 1000


def pct(lat: np.ndarray) -> str:
    return f"p50 {np.percentile(lat, 50):.3f} ms  p99 {np.percentile(lat, 99):.3f} ms"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--dim", type=int, default=512)
    ap.add_argument("--queries", type=int, default=500)
    ap.add_argument("--m", type=int, default=16)
    ap.add_argument("--ef-construction", type=int, default=100)
    ap.add_argument("--ef", type=int, default=EF_SEARCH)
    ap.add_argument("--build-threads", type=int, default=2)
    ap.add_argument("--backends", default="hnswlib,faiss")
    ap.add_argument("--ef-sweep", default="", help="efSearch values to measure, e.g. 160,200")
    args = ap.parse_args()
    rng = np.random.default_rng(7)
    centres = rng.standard_normal((2000, args.dim), dtype=np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    data = clustered(args.n, args.dim, rng, centres)
    queries = clustered(args.queries, args.dim, rng, centres)
    cams = [f"cam{i % 10}" for i in range(args.n)]
    times = np.arange(args.n, dtype=np.float64)
    t0 = time.perf_counter()
    truth = exact_topk(data, queries, 10)
    print(f"n={args.n} dim={args.dim} queries={args.queries}; exact numpy top-10: {time.perf_counter() - t0:.1f} s")
    _, lat = timed(lambda q: np.argpartition(-(data @ q), 10)[:10], queries[:50])
    print(f"  exact numpy single query: {pct(lat)}")
    cam_mask = np.asarray([c == "cam3" for c in cams])
    time_mask = times >= args.n / 2
    narrow = (args.n / 2, args.n / 2 + args.n / 50)  # camera 3 within 2 % of the time range: 0.2 % of rows
    narrow_mask = cam_mask & (times >= narrow[0]) & (times < narrow[1])
    truth_narrow = exact_topk(data, queries, 10, narrow_mask)
    truth_cam = exact_topk(data, queries, 10, cam_mask)
    truth_time = exact_topk(data, queries, 10, time_mask)
    ids = [str(i) for i in range(args.n)]
    for backend in args.backends.split(","):
        index = AnnIndex(args.dim, None, backend, m=args.m, ef_construction=args.ef_construction,  # type: ignore[arg-type]
                         ef_search=args.ef, capacity=args.n, threads=args.build_threads)  # fmt: skip
        index.flush_min = args.n + 1  # no background flusher: time ingest and graph build separately
        t0 = time.perf_counter()
        for s in range(0, args.n, 10_000):
            index.add(ids[s : s + 10_000], data[s : s + 10_000], cams[s : s + 10_000], times[s : s + 10_000])
        ingest = time.perf_counter() - t0
        found, lat = timed(lambda q, index=index: np.asarray([int(h.id) for h in index.search(q, 10)]), queries[:20])
        print(f"[{backend}] ingest {args.n / ingest:,.0f} rows/s (pending tail); all-pending exact search {pct(lat)}")
        t0 = time.perf_counter()
        index.flush()
        build = time.perf_counter() - t0
        index._graph.set_threads(1)
        raw = index._graph
        print(f"[{backend}] M={args.m} efC={args.ef_construction} ef={args.ef}: "
              f"graph build {args.n / build:,.0f} rows/s ({args.build_threads} threads, {build:.0f} s)")  # fmt: skip
        found, lat_raw = timed(lambda q, raw=raw: raw.knn(q, 10, args.ef, None)[0], queries)
        print(f"  raw library   : {pct(lat_raw)}  recall@10 {recall(found, truth):.3f}")
        found, lat = timed(lambda q, index=index: np.asarray([int(h.id) for h in index.search(q, 10)]), queries)
        ratio = np.percentile(lat, 50) / np.percentile(lat_raw, 50)
        print(f"  our layer     : {pct(lat)}  recall@10 {recall(found, truth):.3f}  overhead p50 {ratio:.2f}x")
        for ef in [int(v) for v in args.ef_sweep.split(",") if v]:
            # Same graph, same queries: only efSearch changes, so the recall/latency trade-off is read directly.
            found, lat_raw = timed(lambda q, raw=raw, ef=ef: raw.knn(q, 10, ef, None)[0], queries)
            index.ef_search = ef
            found2, lat = timed(lambda q, index=index: np.asarray([int(h.id) for h in index.search(q, 10)]), queries)
            print(f"  ef {ef:4d} raw   : {pct(lat_raw)}  recall@10 {recall(found, truth):.3f} | "
                  f"our layer {pct(lat)}  recall@10 {recall(found2, truth):.3f}")  # fmt: skip
        index.ef_search = args.ef
        adaptive = index._filtered_ef
        index._filtered_ef = lambda k, share, index=index: max(index.ef_search, k)  # type: ignore[method-assign]
        found, lat = timed(
            lambda q, index=index: np.asarray([int(h.id) for h in index.search(q, 10, ["cam3"])]), queries
        )
        print(f"  camera filter : {pct(lat)}  recall@10 {recall(found, truth_cam):.3f}  (10 %: fixed ef, baseline)")
        index._filtered_ef = adaptive  # type: ignore[method-assign]
        found, lat = timed(
            lambda q, index=index: np.asarray([int(h.id) for h in index.search(q, 10, ["cam3"])]), queries
        )
        print(f"  camera filter : {pct(lat)} p95 {np.percentile(lat, 95):.3f} ms  recall@10 "
              f"{recall(found, truth_cam):.3f}  (10 %: graph, adaptive ef {adaptive(10, 0.1)})")  # fmt: skip
        found, lat = timed(
            lambda q, index=index: np.asarray([int(h.id) for h in index.search(q, 10, since=args.n / 2)]), queries
        )
        print(f"  time filter   : {pct(lat)}  recall@10 {recall(found, truth_time):.3f}  (50 % of rows: graph)")
        found, lat = timed(
            lambda q, index=index: np.asarray([int(h.id) for h in index.search(q, 10, ["cam3"], *narrow)]), queries
        )
        print(f"  narrow filter : {pct(lat)}  recall@10 {recall(found, truth_narrow):.3f}  (0.2 % of rows: exact scan)")
        del index, raw


if __name__ == "__main__":
    main()
