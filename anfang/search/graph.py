"""The HNSW library (hnswlib or FAISS) behind the one small API :class:`~anfang.search.index.AnnIndex` uses."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np

Backend = Literal["hnswlib", "faiss"]


class Graph:
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
    def load(cls, backend: Backend, dim: int, path: Path, capacity: int) -> Graph:
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
