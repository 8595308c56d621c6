"""PP-OCRv4 ONNX models (text detection + recognition) from the ``rapidocr-onnxruntime`` wheel.

The wheel ships the ONNX files (Apache-2.0, PaddleOCR) inside the package, so nothing is downloaded at run
time. We only read its files: its Python code (and its ``opencv-python`` dependency) is never imported, and
pre/post-processing is ours — plates need a constrained decoder that the generic pipeline does not have.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

from anfang.models.pack import ModelPackError

DET_FILE = "ch_PP-OCRv4_det_infer.onnx"
REC_FILE = "ch_PP-OCRv4_rec_infer.onnx"


def ocr_model_path(filename: str, models_dir: Path | None = None) -> Path:
    """A PP-OCR model file: from ``models_dir`` if placed there by hand, else from the installed wheel."""
    if models_dir is not None and (Path(models_dir) / filename).is_file():
        return Path(models_dir) / filename
    spec = importlib.util.find_spec("rapidocr_onnxruntime")  # locates the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise ModelPackError(f"{filename} not found: pip install rapidocr-onnxruntime (it ships the PP-OCR models)")
    path = Path(next(iter(spec.submodule_search_locations))) / "models" / filename
    if not path.is_file():
        raise ModelPackError(f"{path} missing: reinstall rapidocr-onnxruntime")
    return path


@lru_cache(maxsize=4)
def shared_session(path: str, threads: int = 2):  # noqa: ANN201 - onnxruntime is imported lazily
    """One session per model file per process; ``run`` is thread-safe so cameras share it."""
    from anfang.vision.onnx_utils import make_session

    return make_session(Path(path), threads)
