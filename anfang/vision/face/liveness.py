"""Presentation-attack scores: two small single-image models from the pack.

``antispoof`` (Kaggle fake-face-detection CNN, 128x128) and ``liveness`` (livenessnet, 32x32) each give a
"this is a live face" probability from one RGB crop. Single-frame anti-spoofing is weak against good
replays; these scores are evidence attached to a match (and a threshold an operator may enable), not a gate
that blocks anything by default.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from anfang.models.pack import ModelPackError, model_path
from anfang.vision.onnx_utils import make_session


class LivenessScorer:
    def __init__(self, models_dir: Path, threads: int = 1) -> None:
        self._sessions = {}
        for name in ("antispoof", "liveness"):
            try:
                self._sessions[name] = make_session(model_path(models_dir, name), threads)
            except ModelPackError:  # optional models: a pack without them still analyses faces
                continue

    def _run(self, name: str, crops: list[np.ndarray], size: int) -> np.ndarray | None:
        session = self._sessions.get(name)
        if session is None or not crops:
            return None
        batch = np.stack([cv2.cvtColor(cv2.resize(c, (size, size)), cv2.COLOR_BGR2RGB) for c in crops])
        return session.run(None, {session.get_inputs()[0].name: batch.astype(np.float32) / 255.0})[0]

    def score(self, crops_bgr: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """``(antispoof_real (N,), live (N,))`` probabilities that each face crop is real; NaN if unavailable."""
        n = len(crops_bgr)
        spoof = self._run("antispoof", crops_bgr, 128)
        live = self._run("liveness", crops_bgr, 32)
        # Both read the way human's own code reads them (src/face/antispoof.ts, liveness.ts): antispoof's
        # single output and liveness' first softmax column are "real". The pack manifest's descriptions say the
        # opposite; on the 16 real photographs of face_recognition those readings average 0.3 and 0.1.
        real = spoof[:, 0] if spoof is not None else np.full(n, np.nan)
        alive = live[:, 0] if live is not None else np.full(n, np.nan)
        return real.astype(np.float32), alive.astype(np.float32)
