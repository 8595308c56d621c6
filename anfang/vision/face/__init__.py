"""Faces: detect (BlazeFace), align (similarity transform), embed + age/gender (FaceRes), liveness.

``FaceAnalyzer(models_dir).analyze(image_bgr, person_box=None) -> list[Face]`` is the entry point;
``FaceDetector`` (``anfang.vision.face.detect``) is the one detector behind it and behind privacy masking.
Names are imported on first use, so the config (``anfang.vision.face.config``) loads without onnxruntime.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from anfang.vision.face.analyze import DEFAULT_MATCH_THRESHOLD, Face, FaceAnalyzer, similarity

__all__ = ["DEFAULT_MATCH_THRESHOLD", "Face", "FaceAnalyzer", "similarity"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from anfang.vision.face import analyze

        return getattr(analyze, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
