"""Vector index for appearance embeddings, behind an interface a Milvus client could implement too.

:class:`VectorIndex` is what the records service uses: string record ids in, cosine-ranked hits out, with
camera and time filters applied *inside* the search (post-filtering a top-k would return nothing useful
when the filter keeps 1 % of the records). :class:`AnnIndex` is the embedded implementation: an HNSW graph
(hnswlib or FAISS, chosen by ``bench/bench_index.py``) plus numpy metadata columns (camera code, time,
alive) and a copy of the vectors. A filter that keeps few records is answered exactly by a matrix product
over just those rows — faster than walking a graph whose neighbours are mostly filtered out, and exact;
a broad filter goes through the graph with the filter as an allow-list.

New vectors are not inserted into the graph by ``add``: they join a contiguous *pending tail* that every
search scans exactly (a contiguous 4k x 512 block is a ~0.5 ms matrix product) and merges with the graph's
hits. ``flush()`` — or a background thread once the tail reaches ``flush_min`` rows — moves the tail into
the graph in chunks with multi-threaded ``add_items``. Why: HNSW insertion runs at 1–3k rows/s on two cores,
so a bulk import through the graph was bound by it (0.7k rows/s measured); appending to numpy columns is
>100k rows/s, and no vector is ever unsearchable while the graph catches up. hnswlib is not safe for a
search during an insertion, so each chunk is inserted under the index lock (a search waits for at most one
chunk, ``flush_chunk`` rows).

Files under the index folder: ``graph.bin`` (the library's own format), ``meta.npz`` and ``vectors.npy``;
each written to a temporary name and renamed, metadata last, so a crash mid-save leaves the previous
consistent set loadable (the graph may then hold extra labels, which the metadata marks as not alive).

Modules: the HNSW library wrapper is :mod:`anfang.search.graph`; the exact scans (small filtered sets,
the pending tail) are :mod:`anfang.search.exact`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from anfang.search.exact import scan_rows, scan_tail
from anfang.search.graph import Backend, Graph

log = logging.getLogger(__name__)

__all__ = ["AnnIndex", "Backend", "Hit", "VectorIndex"]

EXACT_MAX_ROWS = 2_000  # filtered sets up to this size are scanned exactly (< 1 ms for 512-d)
EXACT_MAX_SHARE = 0.01  # ... and so are sets under 1 % of the index, where a filtered graph walk degrades
FILTER_EF_MAX_BOOST = 8  # a selective filter widens efSearch by up to this factor (see _filtered_ef)
FILTER_EF_SHARE = 0.25  # ... by FILTER_EF_SHARE / share for filters keeping less than this share
FLUSH_MIN = 4096  # pending rows that wake the background flusher (smaller tails are cheap to scan)
# efSearch for unfiltered queries. bench_index at 1M x 512, M 16, efC 100, 200 queries: ef 128 → recall@10
# 0.944 (p50 0.50 ms), 160/200 → 0.954, 256 → 0.978 (p50 0.65 ms, p99 1.35 ms), 320 → 0.978. 256 keeps a margin
# over the 0.95 goal at a third of the 2 ms latency budget.
EF_SEARCH = 256
FILTER_EF_BASE = 128  # what the filter widening below was tuned from (it multiplies this, not EF_SEARCH)
FLUSH_CHUNK = 2048  # rows inserted into the graph per lock hold


@dataclass(frozen=True, slots=True)
class Hit:
    id: str
    score: float  # cosine similarity (vectors are unit length): 1 = identical


class VectorIndex(Protocol):
    """What search needs from a vector store (embedded HNSW today, Milvus tomorrow)."""

    dim: int

    def add(self, ids: Sequence[str], vectors: np.ndarray, camera_ids: Sequence[str], times: Sequence[float]) -> None:
        """Insert (or replace) vectors; ``vectors`` is (N, dim) float32, unit length."""

    def delete(self, ids: Iterable[str]) -> int:
        """Remove ids; returns how many were present."""

    def search(
        self,
        vector: np.ndarray,
        k: int = 10,
        camera_ids: Iterable[str] | None = None,
        since: float | None = None,
        until: float | None = None,
    ) -> list[Hit]:
        """The ``k`` most similar alive vectors whose camera is in ``camera_ids`` and time in [since, until)."""

    def count(self) -> int: ...

    def save(self) -> None: ...


class AnnIndex:
    """Embedded :class:`VectorIndex` (see module docstring). Thread-safe; one per data folder."""

    def __init__(
        self,
        dim: int,
        path: Path | None = None,
        backend: Backend = "hnswlib",
        m: int = 16,
        ef_construction: int = 100,
        ef_search: int = EF_SEARCH,
        capacity: int = 1024,
        threads: int = 2,
        flush_min: int = FLUSH_MIN,
    ) -> None:
        self.dim, self.path, self.backend = dim, None if path is None else Path(path), backend
        self.flush_min = flush_min
        self.m, self.ef_construction, self.ef_search = m, ef_construction, ef_search
        self._lock = threading.RLock()
        self._graph = Graph(backend, dim, m, ef_construction, capacity)
        self._graph.set_threads(threads)
        self._vectors = np.zeros((capacity, dim), np.float32)
        self._cams = np.zeros(capacity, np.int32)
        self._times = np.zeros(capacity, np.float64)
        self._alive = np.zeros(capacity, bool)
        self._ids: list[str] = []
        self._row: dict[str, int] = {}
        self._cam_codes: dict[str, int] = {}
        self._dirty = False
        self._graph_n = 0  # rows [0, _graph_n) are in the graph; the rest is the pending tail
        self._flusher: threading.Thread | None = None
        self._wake = threading.Event()
        self._closing = False

    # ------------------------------------------------------------ writes

    def _grow(self, need: int) -> None:
        cap = len(self._alive)
        if need <= cap:
            return
        new = max(need, 2 * cap)
        self._vectors = np.concatenate([self._vectors, np.zeros((new - cap, self.dim), np.float32)])
        self._cams = np.concatenate([self._cams, np.zeros(new - cap, np.int32)])
        self._times = np.concatenate([self._times, np.zeros(new - cap, np.float64)])
        self._alive = np.concatenate([self._alive, np.zeros(new - cap, bool)])

    def _cam_code(self, camera_id: str) -> int:
        code = self._cam_codes.get(camera_id)
        if code is None:
            code = self._cam_codes[camera_id] = len(self._cam_codes)
        return code

    def add(self, ids: Sequence[str], vectors: np.ndarray, camera_ids: Sequence[str], times: Sequence[float]) -> None:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1, self.dim)
        if not (len(ids) == len(vectors) == len(camera_ids) == len(times)):
            raise ValueError("ids, vectors, camera_ids and times must have the same length")
        if not len(ids):
            return
        with self._lock:
            self.delete(i for i in ids if i in self._row)  # replace = delete + append (rows never move)
            start = len(self._ids)
            self._grow(start + len(ids))
            self._vectors[start : start + len(ids)] = vectors
            self._cams[start : start + len(ids)] = [self._cam_code(c) for c in camera_ids]
            self._times[start : start + len(ids)] = times
            self._alive[start : start + len(ids)] = True
            for offset, rid in enumerate(ids):
                self._row[rid] = start + offset
            self._ids.extend(ids)
            self._dirty = True
            if len(self._ids) - self._graph_n >= self.flush_min:
                self._start_flusher()

    def delete(self, ids: Iterable[str]) -> int:
        removed = 0
        with self._lock:
            for rid in list(ids):
                row = self._row.pop(rid, None)
                if row is None:
                    continue
                self._alive[row] = False
                if row < self._graph_n:  # a pending row is marked once inserted (see _flush_chunk)
                    self._graph.delete(row)
                removed += 1
            self._dirty = self._dirty or removed > 0
        return removed

    def pending(self) -> int:
        """Rows not yet in the graph (searched exactly until flushed)."""
        return len(self._ids) - self._graph_n

    def _flush_chunk(self, limit: int = FLUSH_CHUNK) -> int:
        """Insert up to ``limit`` pending rows into the graph (under the lock); returns how many."""
        with self._lock:
            start, stop = self._graph_n, min(len(self._ids), self._graph_n + limit)
            if stop <= start:
                return 0
            self._graph.add(np.arange(start, stop, dtype=np.int64), self._vectors[start:stop])
            self._graph_n = stop
            for row in np.flatnonzero(~self._alive[start:stop]):  # deleted while pending
                self._graph.delete(start + int(row))
            self._dirty = True
            return stop - start

    def flush(self) -> int:
        """Move the whole pending tail into the graph now (bulk import end, benchmarks); returns rows added."""
        added = 0
        while n := self._flush_chunk():
            added += n
        return added

    def _start_flusher(self) -> None:
        if self._flusher is None or not self._flusher.is_alive():
            self._flusher = threading.Thread(target=self._flush_loop, name="ann-flush", daemon=True)
            self._flusher.start()
        self._wake.set()

    def _flush_loop(self) -> None:
        while not self._closing:
            self._wake.wait(5.0)
            self._wake.clear()
            try:
                while not self._closing and self.pending() >= self.flush_min // 2 and self._flush_chunk():
                    pass
            except Exception:  # never kill the thread: the tail stays searchable exactly meanwhile
                log.exception("vector index: background graph insertion failed")

    def close(self) -> None:
        """Stop the background flusher (the pending tail is kept and saved as pending)."""
        self._closing = True
        self._wake.set()
        if self._flusher is not None:
            self._flusher.join(timeout=30)

    # ------------------------------------------------------------ reads

    def count(self) -> int:
        return len(self._row)

    def __contains__(self, rid: str) -> bool:
        return rid in self._row

    def _filter(self, camera_ids: Iterable[str] | None, since: float | None, until: float | None) -> np.ndarray | None:
        """Camera/time filter over all rows (``None`` = no filter); aliveness is handled separately."""
        if camera_ids is None and since is None and until is None:
            return None
        n = len(self._ids)
        mask = np.ones(n, bool)
        if camera_ids is not None:
            codes = [self._cam_codes[c] for c in camera_ids if c in self._cam_codes]
            mask &= np.isin(self._cams[:n], codes)
        if since is not None:
            mask &= self._times[:n] >= since
        if until is not None:
            mask &= self._times[:n] < until
        return mask

    def _filtered_ef(self, k: int, share: float) -> int:
        """efSearch for a graph walk that keeps ``share`` of the rows.

        Why: with an allow-list, HNSW still walks the whole graph but only allowed nodes fill the result
        heap, so at a fixed ef a 10 % filter explores ~10x fewer useful candidates (recall 0.935–0.947 at
        ef 128 measured). Widening ef by FILTER_EF_SHARE/share, capped, restores recall for more visits
        (bench_index at 100k, 10 % filter: ef 128 → 0.947, ef 640 → 0.997 but 3.5x slower; 0.25 chosen).
        """
        base = max(self.ef_search, k)
        if share >= FILTER_EF_SHARE:
            return base
        widened = max(min(self.ef_search, FILTER_EF_BASE), k) * min(
            FILTER_EF_MAX_BOOST, FILTER_EF_SHARE / max(share, 1e-9)
        )
        return max(base, int(widened))  # a raised unfiltered ef must not multiply the filtered walk again

    def search(
        self,
        vector: np.ndarray,
        k: int = 10,
        camera_ids: Iterable[str] | None = None,
        since: float | None = None,
        until: float | None = None,
    ) -> list[Hit]:
        q = np.ascontiguousarray(vector, dtype=np.float32).reshape(self.dim)
        with self._lock:
            n, g = len(self._ids), self._graph_n
            filt = self._filter(camera_ids, since, until)
            some_dead = self.count() != n
            keep = filt if not some_dead else (self._alive[:n] if filt is None else filt & self._alive[:n])
            allowed = n if keep is None else int(keep.sum())
            if allowed == 0 or k <= 0:
                return []
            if allowed <= EXACT_MAX_ROWS or allowed < EXACT_MAX_SHARE * n:
                rows = np.arange(n) if keep is None else np.flatnonzero(keep)
                labels, scores = scan_rows(self._vectors, rows, q, k)
            else:
                parts = []
                in_graph = g if keep is None else int(keep[:g].sum())
                if in_graph:
                    # hnswlib skips marked-deleted rows itself; FAISS cannot delete, so it needs the alive mask.
                    gmask = keep if self.backend == "faiss" else filt
                    gmask = None if gmask is None else gmask[:g]
                    ef = self.ef_search if filt is None else self._filtered_ef(k, in_graph / g)
                    parts.append(self._graph.knn(q, min(k, in_graph), ef, gmask))
                if g < n:  # the pending tail: one contiguous exact scan (anfang.search.exact)
                    parts.append(scan_tail(self._vectors, g, n, keep, q, k))
                labels = np.concatenate([p[0] for p in parts])
                scores = np.concatenate([p[1] for p in parts]).astype(np.float32)
                order = np.argsort(-scores, kind="stable")[:k]
                labels, scores = labels[order], scores[order]
            return [Hit(self._ids[int(lb)], float(s)) for lb, s in zip(labels, scores, strict=True)]

    # ------------------------------------------------------------ persistence

    def save(self) -> None:
        """Write graph, vectors and metadata under ``path`` (no-op when nothing changed or no path)."""
        if self.path is None:
            return
        with self._lock:
            if not self._dirty and (self.path / "meta.npz").exists():
                return
            self.path.mkdir(parents=True, exist_ok=True)
            n = len(self._ids)
            tmp_graph = self.path / "graph.bin.tmp"
            self._graph.save(tmp_graph)
            os.replace(tmp_graph, self.path / "graph.bin")
            with open(self.path / "vectors.npy.tmp", "wb") as fh:
                np.save(fh, self._vectors[:n])
            os.replace(self.path / "vectors.npy.tmp", self.path / "vectors.npy")
            cams = sorted(self._cam_codes, key=self._cam_codes.__getitem__)
            with open(self.path / "meta.npz.tmp", "wb") as fh:
                np.savez(
                    fh,
                    ids=np.asarray(self._ids, dtype=np.str_),
                    cams=self._cams[:n],
                    times=self._times[:n],
                    alive=self._alive[:n],
                    cam_names=np.asarray(cams, dtype=np.str_),
                    params=np.asarray([self.dim, self.m, self.ef_construction, self.ef_search]),
                    backend=np.asarray(self.backend),
                    graph_n=np.asarray(self._graph_n),
                )
            os.replace(self.path / "meta.npz.tmp", self.path / "meta.npz")
            self._dirty = False

    @classmethod
    def open(cls, path: Path, dim: int, backend: Backend = "hnswlib", **kwargs: int) -> AnnIndex:
        """Load the index saved under ``path``, or start an empty one there."""
        path = Path(path)
        if not (path / "meta.npz").exists():
            return cls(dim, path, backend, **kwargs)
        meta = np.load(path / "meta.npz")
        saved_dim, m, efc, efs = (int(v) for v in meta["params"])
        if saved_dim != dim:
            raise ValueError(f"index at {path} holds {saved_dim}-d vectors, the embedder makes {dim}-d")
        saved_backend = str(meta["backend"])
        ids = [str(i) for i in meta["ids"]]
        n = len(ids)
        # efSearch is a query-time setting: an index saved under an older, lower default gets the current one.
        efs = int(kwargs.get("ef_search", max(efs, EF_SEARCH)))
        index = cls(dim, path, saved_backend, m=m, ef_construction=efc, ef_search=efs, capacity=max(n, 1024))  # type: ignore[arg-type]
        index._graph = Graph.load(saved_backend, dim, path / "graph.bin", max(n, 1024))  # type: ignore[arg-type]
        index._vectors[:n] = np.load(path / "vectors.npy")
        index._cams[:n], index._times[:n], index._alive[:n] = meta["cams"], meta["times"], meta["alive"]
        index._ids = ids
        index._row = {rid: row for row, rid in enumerate(ids) if meta["alive"][row]}
        index._cam_codes = {str(c): i for i, c in enumerate(meta["cam_names"])}
        index._graph_n = int(meta["graph_n"]) if "graph_n" in meta else n  # older saves had no pending tail
        if saved_backend == "faiss":
            index._graph_n = min(n, int(index._graph.index.ntotal))
        for row in np.flatnonzero(~meta["alive"][: index._graph_n]):  # graph saved before a later delete?
            with contextlib.suppress(RuntimeError):  # already marked in the saved graph
                index._graph.delete(int(row))
        if index.pending() >= index.flush_min:
            index._start_flusher()
        return index
