"""PP-OCRv4 ONNX models (text detection + recognition) from the model pack.

``anfang models build`` copies them out of the ``rapidocr-onnxruntime`` wheel (Apache-2.0, PaddleOCR) without
installing it — its ``opencv-python`` dependency would clash with ours — so nothing is downloaded at run time.
Pre/post-processing is ours: plates need a constrained decoder that the generic pipeline does not have.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from anfang.models.pack import ModelPackError
from anfang.models.paths import default_models_dir

DET_FILE = "ch_PP-OCRv4_det_infer.onnx"
REC_FILE = "ch_PP-OCRv4_rec_infer.onnx"


def ocr_model_path(filename: str, models_dir: Path | None = None) -> Path:
    """A PP-OCR model file from the pack (``models_dir`` or the default pack location)."""
    path = Path(models_dir or default_models_dir()) / filename
    if not path.is_file():
        raise ModelPackError(f"{path} not found: run `anfang models build` (it copies the PP-OCR models)")
    return path


@lru_cache(maxsize=4)
def shared_session(path: str, threads: int = 2):  # noqa: ANN201 - onnxruntime is imported lazily
    """One session per model file per process; ``run`` is thread-safe so cameras share it."""
    from anfang.vision.onnx_utils import make_session

    return make_session(Path(path), threads)
