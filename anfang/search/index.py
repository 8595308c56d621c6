"""Vector index for appearance embeddings, behind an interface a Milvus client could implement too.

:class:`VectorIndex` is what the records service uses: string record ids in, cosine-ranked hits out, with
camera and time filters applied *inside* the search (post-filtering a top-k would return nothing useful
when the filter keeps 1 % of the records). :class:`AnnIndex` is the embedded implementation: an HNSW graph
(hnswlib or FAISS, chosen by ``bench/bench_index.py``) plus numpy metadata columns (camera code, time,
alive) and a copy of the vectors. A filter that keeps few records is answered exactly by a matrix product
over just those rows — faster than walking a graph whose neighbours are mostly filtered out, and exact;
a broad filter goes through the graph with the filter as an allow-list.

Files under the index folder: ``graph.bin`` (the library's own format), ``meta.npz`` and ``vectors.npy``;
each written to a temporary name and renamed, metadata last, so a crash mid-save leaves the previous
consistent set loadable (the graph may then hold extra labels, which the metadata marks as not alive).
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

import numpy as np

log = logging.getLogger(__name__)

Backend = Literal["hnswlib", "faiss"]
EXACT_MAX_ROWS = 2_000  # filtered sets up to this size are scanned exactly (< 1 ms for 512-d)
EXACT_MAX_SHARE = 0.01  # ... and so are sets under 1 % of the index, where a filtered graph walk degrades


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


class _Graph:
    """The HNSW library behind one small API (labels are row numbers)."""

    def __init__(self, backend: Backend, dim: int, m: int, ef_construction: int, capacity: int) -> None:
        self.backend = backend
        self.dim = dim
        if backend == "hnswlib":
            import hnswlib

            self.index = hnswlib.Index(space="ip", dim=dim)
            self.index.init_index(max_elements=capacity, M=m, ef_construction=ef_construction)
        else:
            import faiss

            self.index = faiss.IndexHNSWFlat(dim, m, faiss.METRIC_INNER_PRODUCT)
            self.index.hnsw.efConstruction = ef_construction

    def set_threads(self, n: int) -> None:
        if self.backend == "hnswlib":
            self.index.set_num_threads(n)
        else:
            import faiss

            faiss.omp_set_num_threads(n)

    def add(self, labels: np.ndarray, vectors: np.ndarray) -> None:
        if self.backend == "hnswlib":
            need = int(labels.max()) + 1
            if need > self.index.get_max_elements():
                self.index.resize_index(max(need, 2 * self.index.get_max_elements()))
            self.index.add_items(vectors, labels)
        else:  # FAISS HNSW numbers rows itself; our labels are always the next rows
            assert int(labels[0]) == self.index.ntotal, "faiss rows must be appended in order"
            self.index.add(vectors)

    def delete(self, label: int) -> None:
        if self.backend == "hnswlib":
            self.index.mark_deleted(label)
        # FAISS HNSW cannot remove; dead rows are excluded by the allow-list in every query.

    def knn(self, q: np.ndarray, k: int, ef: int, allowed: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """(labels, similarities) of the ``k`` best rows of ``allowed`` (bool per row; None = all)."""
        if self.backend == "hnswlib":
            self.index.set_ef(max(ef, k))
            flt = None if allowed is None else (lambda label: bool(allowed[label]))
            labels, dist = self.index.knn_query(q[None], k=k, num_threads=1, filter=flt)
            return labels[0].astype(np.int64), 1.0 - dist[0]
        import faiss

        params = faiss.SearchParametersHNSW(efSearch=max(ef, k))
        if allowed is not None:
            bits = np.packbits(allowed, bitorder="little")
            params.sel = faiss.IDSelectorBitmap(len(allowed), faiss.swig_ptr(bits))
            self._bits = bits  # the selector keeps a raw pointer: keep the array alive for the call
        sims, labels = self.index.search(q[None], k, params=params)
        keep = labels[0] >= 0
        return labels[0][keep].astype(np.int64), sims[0][keep]

    def save(self, path: Path) -> None:
        if self.backend == "hnswlib":
            self.index.save_index(str(path))
        else:
            import faiss

            faiss.write_index(self.index, str(path))

    @classmethod
    def load(cls, backend: Backend, dim: int, path: Path, capacity: int) -> _Graph:
        graph = cls.__new__(cls)
        graph.backend, graph.dim = backend, dim
        if backend == "hnswlib":
            import hnswlib

            graph.index = hnswlib.Index(space="ip", dim=dim)
            graph.index.load_index(str(path), max_elements=capacity, allow_replace_deleted=False)
        else:
            import faiss

            graph.index = faiss.read_index(str(path))
        return graph


class AnnIndex:
    """Embedded :class:`VectorIndex` (see module docstring). Thread-safe; one per data folder."""

    def __init__(
        self,
        dim: int,
        path: Path | None = None,
        backend: Backend = "hnswlib",
        m: int = 16,
        ef_construction: int = 100,
        ef_search: int = 128,
        capacity: int = 1024,
        threads: int = 1,
    ) -> None:
        self.dim, self.path, self.backend = dim, None if path is None else Path(path), backend
        self.m, self.ef_construction, self.ef_search = m, ef_construction, ef_search
        self._lock = threading.RLock()
        self._graph = _Graph(backend, dim, m, ef_construction, capacity)
        self._graph.set_threads(threads)
        self._vectors = np.zeros((capacity, dim), np.float32)
        self._cams = np.zeros(capacity, np.int32)
        self._times = np.zeros(capacity, np.float64)
        self._alive = np.zeros(capacity, bool)
        self._ids: list[str] = []
        self._row: dict[str, int] = {}
        self._cam_codes: dict[str, int] = {}
        self._dirty = False

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
            labels = np.arange(start, start + len(ids), dtype=np.int64)
            self._grow(start + len(ids))
            self._graph.add(labels, vectors)
            self._vectors[start : start + len(ids)] = vectors
            self._cams[start : start + len(ids)] = [self._cam_code(c) for c in camera_ids]
            self._times[start : start + len(ids)] = times
            self._alive[start : start + len(ids)] = True
            for offset, rid in enumerate(ids):
                self._row[rid] = start + offset
            self._ids.extend(ids)
            self._dirty = True

    def delete(self, ids: Iterable[str]) -> int:
        removed = 0
        with self._lock:
            for rid in list(ids):
                row = self._row.pop(rid, None)
                if row is None:
                    continue
                self._alive[row] = False
                self._graph.delete(row)
                removed += 1
            self._dirty = self._dirty or removed > 0
        return removed

    # ------------------------------------------------------------ reads

    def count(self) -> int:
        return len(self._row)

    def __contains__(self, rid: str) -> bool:
        return rid in self._row

    def _mask(self, camera_ids: Iterable[str] | None, since: float | None, until: float | None) -> np.ndarray | None:
        n = len(self._ids)
        if camera_ids is None and since is None and until is None:
            return None if self.count() == n else self._alive[:n]
        mask = self._alive[:n].copy()
        if camera_ids is not None:
            codes = [self._cam_codes[c] for c in camera_ids if c in self._cam_codes]
            mask &= np.isin(self._cams[:n], codes)
        if since is not None:
            mask &= self._times[:n] >= since
        if until is not None:
            mask &= self._times[:n] < until
        return mask

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
            n = len(self._ids)
            mask = self._mask(camera_ids, since, until)
            allowed = n if mask is None else int(mask.sum())
            if allowed == 0 or k <= 0:
                return []
            if allowed <= EXACT_MAX_ROWS or allowed < EXACT_MAX_SHARE * n:
                rows = np.arange(n) if mask is None else np.flatnonzero(mask)
                sims = self._vectors[rows] @ q
                top = np.argsort(-sims)[:k] if len(sims) <= k else np.argpartition(-sims, k)[:k]
                top = top[np.argsort(-sims[top])]
                labels, scores = rows[top], sims[top]
            else:
                if mask is None and self.backend == "faiss" and self.count() != n:
                    mask = self._alive[:n]  # FAISS keeps deleted rows: exclude them explicitly
                labels, scores = self._graph.knn(q, min(k, allowed), self.ef_search, mask)
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
        index = cls(dim, path, saved_backend, m=m, ef_construction=efc, ef_search=efs, capacity=max(n, 1024))  # type: ignore[arg-type]
        index._graph = _Graph.load(saved_backend, dim, path / "graph.bin", max(n, 1024))  # type: ignore[arg-type]
        index._vectors[:n] = np.load(path / "vectors.npy")
        index._cams[:n], index._times[:n], index._alive[:n] = meta["cams"], meta["times"], meta["alive"]
        index._ids = ids
        index._row = {rid: row for row, rid in enumerate(ids) if meta["alive"][row]}
        index._cam_codes = {str(c): i for i, c in enumerate(meta["cam_names"])}
        for row in np.flatnonzero(~meta["alive"]):  # graph saved before a later delete? mark again
            with contextlib.suppress(RuntimeError):  # already marked in the saved graph
                index._graph.delete(int(row))
        return index
