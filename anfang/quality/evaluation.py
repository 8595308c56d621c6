"""ROC of every check on real frames degraded at known strengths (docs/video-quality.md, tests/test_quality_eval.py).

Protocol: frames of each real clip are sampled as a camera's checks would be; the first
``baseline_checks`` form the baseline; then every later check frame is probed clean (a negative for every
defect) and degraded by each entry of :data:`anfang.quality.degrade.PLAN` (a positive for its defect),
without letting the probes touch the baseline (``learn=False``), and finally checked clean to move on.
"Frozen" positives are the previous check's frame repeated (exactly, and re-encoded as JPEG q=75, which
is what a DVR that repeats its last picture sends). AUC is the Mann-Whitney statistic (scipy).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from scipy.stats import mannwhitneyu

from anfang.quality.config import DEFECTS, Defect, QualityConfig
from anfang.quality.degrade import PLAN
from anfang.quality.diagnose import Diagnoser

# Fixed cameras: every check applies.
FIXED_CLIPS = (
    Path("/usr/share/doc/opencv-doc/examples/data/vtest.avi"),
    Path("tests/data/mot15/TUD-Campus/TUD-Campus.mp4"),
)
# Edited broadcast footage with camera cuts (a cut *is* a scene change, exposure and texture jump): only
# the checks that need no baseline are evaluated on it.
EDITED_CLIPS = (Path("tests/data/faces/face_recognition/short_hamilton_clip.mp4"),)
CLIPS = FIXED_CLIPS + EDITED_CLIPS
ABSOLUTE: tuple[Defect, ...] = ("signal_loss", "frozen", "noise")


def sample_frames(path: Path, checks: int = 30) -> Iterator[np.ndarray]:
    """About ``checks`` frames spread evenly over the clip (decoded in order, every n-th kept)."""
    cap = cv2.VideoCapture(str(path))
    if not cap.isOpened():
        raise FileNotFoundError(f"cannot open video {path}")
    total = int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) or checks
    step = max(1, total // checks)
    i = 0
    try:
        while True:
            ok, frame = cap.read()
            if not ok:
                return
            if i % step == 0:
                yield frame
            i += 1
    finally:
        cap.release()


@dataclass
class DefectRoc:
    """Scores of one defect: negatives (clean), positives per (degradation label, strength)."""

    defect: Defect
    op: str = ">"
    threshold: float = 0.0
    negatives: list[float] = field(default_factory=list)
    positives: dict[tuple[str, float], list[float]] = field(default_factory=dict)

    def _oriented(self, xs: Iterable[float]) -> np.ndarray:
        a = np.asarray(list(xs), dtype=np.float64)
        return -a if self.op == "<" else a

    def _hit(self, xs: Iterable[float]) -> float:
        a = np.asarray(list(xs), dtype=np.float64)
        if a.size == 0:
            return float("nan")
        return float(np.mean(a < self.threshold if self.op == "<" else a > self.threshold))

    @property
    def all_positives(self) -> list[float]:
        return [s for v in self.positives.values() for s in v]

    def auc(self) -> float:
        pos, neg = self._oriented(self.all_positives), self._oriented(self.negatives)
        if pos.size == 0 or neg.size == 0:
            return float("nan")
        u = mannwhitneyu(pos, neg, alternative="greater").statistic
        return float(u) / float(pos.size * neg.size)

    def tpr(self) -> float:
        return self._hit(self.all_positives)

    def fpr(self) -> float:
        return self._hit(self.negatives)

    def tpr_by_strength(self) -> dict[tuple[str, float], float]:
        return {k: self._hit(v) for k, v in self.positives.items()}


def evaluate(
    clips: Iterable[Path] = CLIPS, config: QualityConfig | None = None, checks_per_clip: int = 30, seed: int = 14
) -> dict[Defect, DefectRoc]:
    """The ROC data of every defect over ``clips`` (see the module docstring for the protocol)."""
    config = config or QualityConfig()
    rng = np.random.default_rng(seed)
    rocs: dict[Defect, DefectRoc] = {d: DefectRoc(d) for d in DEFECTS}
    for path in clips:
        checks = ABSOLUTE if path in EDITED_CLIPS else DEFECTS
        diag = Diagnoser(config.model_copy(update={"checks": list(checks)}))
        previous: np.ndarray | None = None
        for n, frame in enumerate(sample_frames(path, checks_per_clip)):
            if n >= config.baseline_checks and previous is not None:
                _probe(diag, frame, previous, rocs, rng)
            diag.check(frame)
            previous = frame
    return rocs


def _probe(
    diag: Diagnoser, frame: np.ndarray, previous: np.ndarray, rocs: dict[Defect, DefectRoc], rng: np.random.Generator
) -> None:
    clean = diag.check(frame, learn=False)
    for d, r in clean.results.items():
        rocs[d].negatives.append(r.score)
        rocs[d].op, rocs[d].threshold = r.op, r.threshold
    ok, jpg = cv2.imencode(".jpg", previous, [cv2.IMWRITE_JPEG_QUALITY, 75])
    decoded = cv2.imdecode(jpg, cv2.IMREAD_COLOR)
    repeats = {("repeat exact", 0.0): previous}
    if ok and decoded is not None:
        repeats[("repeat JPEG q75", 75.0)] = np.asarray(decoded)
    for key, img in repeats.items():
        res = diag.check(img, learn=False).results.get("frozen")
        if res is not None:
            rocs["frozen"].positives.setdefault(key, []).append(res.score)
    for defect, entries in PLAN.items():
        for label, fn, strengths in entries:
            for s in strengths:
                res = diag.check(fn(frame, s, rng), learn=False).results.get(defect)
                if res is not None:
                    rocs[defect].positives.setdefault((label, s), []).append(res.score)


def markdown(rocs: dict[Defect, DefectRoc]) -> str:
    """The two tables of docs/video-quality.md: AUC / operating point, and detection rate per strength."""
    lines = [
        "| defect | AUC | threshold | TPR at threshold | FPR at threshold | clean checks | degraded checks |",
        "|---|---|---|---|---|---|---|",
    ]
    for d, r in rocs.items():
        lines.append(
            f"| {d} | {r.auc():.3f} | score {r.op} {r.threshold:g} | {r.tpr():.3f} | {r.fpr():.3f} "
            f"| {len(r.negatives)} | {len(r.all_positives)} |"
        )
    lines += ["", "| defect | degradation | strength | detected |", "|---|---|---|---|"]
    for d, r in rocs.items():
        for (label, s), rate in r.tpr_by_strength().items():
            lines.append(f"| {d} | {label} | {s:g} | {rate:.2f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown(evaluate()))
