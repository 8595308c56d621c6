"""Faces: detect (BlazeFace), align (similarity transform), embed + age/gender (FaceRes), liveness.

``FaceAnalyzer(models_dir).analyze(image_bgr, person_box=None) -> list[Face]`` is the entry point.
"""

from anfang.vision.face.analyze import DEFAULT_MATCH_THRESHOLD, Face, FaceAnalyzer, similarity

__all__ = ["DEFAULT_MATCH_THRESHOLD", "Face", "FaceAnalyzer", "similarity"]
