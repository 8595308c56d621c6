"""One camera's diagnosis: the measures of :mod:`anfang.quality.measures` against that camera's baseline.

Why a baseline: sharpness, texture and the view itself depend on the scene, so "blurred", "occluded" and
"moved" can only mean "compared with how this camera looked when it was fine". The first
``baseline_checks`` checks that show no absolute defect (uniform, dark, frozen, ...) form the baseline;
afterwards a clean check nudges it (a slow running median), so dusk or a new shop sign do not alarm,
while a sudden change does. Checks that depend on a picture existing are skipped (``None``) on a
signal-loss frame: blur on a blue screen is not a second defect.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from anfang.quality import measures
from anfang.quality.config import DEFECTS, Defect, QualityConfig

# Below / above: the direction in which a score is a defect.
_BELOW: frozenset[Defect] = frozenset({"blur", "frozen", "signal_loss", "dark", "bright"})
# Need the baseline (forming: no verdict). Exposure and cast are relative too, because a stage or a
# yellow-lit hall is that camera's normal; absolute floors in the score still catch a near-black frame.
_RELATIVE: frozenset[Defect] = frozenset(
    {"blur", "occlusion", "scene_change", "dark", "bright", "colour_cast", "stripes"}
)
DARK_FLOOR = 12.0  # mean luma below which a frame is too dark whatever the baseline
BRIGHT_CEILING = 235.0  # mean luma above which it is too bright
_BASELINE_RATE = 0.1  # weight of a clean check in the running baseline


@dataclass(frozen=True)
class CheckResult:
    """One check's outcome: ``score`` compared with ``threshold`` in direction ``op`` gives ``defect``."""

    score: float
    threshold: float
    op: str  # "<" or ">"
    defect: bool
    detail: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": round(self.score, 4),
            "threshold": self.threshold,
            "op": self.op,
            "defect": self.defect,
            "detail": self.detail,
        }


@dataclass
class _Baseline:
    sharpness: float
    hf: float
    texture: np.ndarray
    reference: measures.Features
    luma: float
    chroma: tuple[float, float]
    spectrum: np.ndarray
    checks: int = 1


@dataclass(frozen=True)
class Diagnosis:
    """All checks of one frame; ``baselined`` is False while the camera's baseline is still forming."""

    at: float
    results: dict[Defect, CheckResult]
    ms: float
    baselined: bool

    @property
    def defects(self) -> list[Defect]:
        return [d for d, r in self.results.items() if r.defect]


def _verdict(defect: Defect, score: float, threshold: float, detail: dict[str, Any] | None = None) -> CheckResult:
    below = defect in _BELOW
    return CheckResult(
        score=float(score),
        threshold=float(threshold),
        op="<" if below else ">",
        defect=score < threshold if below else score > threshold,
        detail=detail or {},
    )


class Diagnoser:
    """Stateful per-camera checker (baseline, previous frame); not thread-safe (one per camera)."""

    def __init__(self, config: QualityConfig) -> None:
        self.config = config
        self.enabled: tuple[Defect, ...] = tuple(d for d in DEFECTS if d in set(config.checks))
        self.baseline: _Baseline | None = None
        self._previous: np.ndarray | None = None

    def reset_baseline(self) -> None:
        """Forget the baseline (after a technician re-aimed the camera on purpose)."""
        self.baseline = None

    def check(self, image: np.ndarray, at: float | None = None, online: bool = True, learn: bool = True) -> Diagnosis:
        """Run every enabled check on one BGR frame. ``online`` is what the source says: a repeated picture
        is only "frozen" while the source claims to be delivering live video. ``learn=False`` leaves the
        baseline and the previous frame as they were (the evaluation probes degraded copies this way)."""
        t0 = time.perf_counter()
        at = time.time() if at is None else at
        th = self.config.thresholds
        want = set(self.enabled)
        p = measures.prepare(image)
        out: dict[Defect, CheckResult] = {}

        std, mean_bgr = measures.uniformity(p.small, p.grey)
        if "signal_loss" in want:
            colour = measures.colour_name(mean_bgr)
            out["signal_loss"] = _verdict("signal_loss", std, th.signal_loss, {"colour": colour, "reason": "uniform"})
        lost = std < th.signal_loss
        previous = self._previous
        if learn:
            self._previous = p.grey
        if "frozen" in want and previous is not None:
            diff = measures.frame_difference(p.grey, previous)
            res = _verdict("frozen", diff, th.frozen, {"online": online})
            out["frozen"] = res if online and not lost else CheckResult(diff, th.frozen, "<", False, res.detail)
        if lost:  # nothing else can be judged on a uniform frame
            return self._done(out, at, t0)

        sharp = measures.laplacian_sharpness(p.grey)
        hf = measures.high_frequency_share(p.grey)
        dark_share, _, luma = measures.exposure(p.grey)
        _, _, da, db = measures.colour_cast(p.small)
        white = measures.whitened_spectrum(p.grey)
        texture = measures.block_texture(p.grey)
        current = measures.features(p.grey)
        base = self.baseline
        if "noise" in want:
            sigma = measures.noise_sigma(p.noise_grey)
            impulse = measures.impulse_share(p.noise_grey)
            score = max(sigma / th.noise_sigma, impulse / th.impulse_share)
            out["noise"] = _verdict("noise", score, th.noise, {"sigma": round(sigma, 2), "impulse": round(impulse, 5)})
        if base is not None:
            if "dark" in want:
                # exposure ratio against the baseline, and against the absolute floor (scaled to meet the
                # same threshold exactly at DARK_FLOOR)
                score = min(luma / max(base.luma, 1.0), luma * th.dark / DARK_FLOOR)
                out["dark"] = _verdict(
                    "dark", score, th.dark, {"mean_luma": round(luma, 1), "dark_share": round(dark_share, 3)}
                )
            if "bright" in want:
                room, base_room = 255.0 - luma, max(255.0 - base.luma, 1.0)
                score = min(room / base_room, room * th.bright / (255.0 - BRIGHT_CEILING))
                out["bright"] = _verdict("bright", score, th.bright, {"mean_luma": round(luma, 1)})
            if "colour_cast" in want:
                shift = float(np.hypot(da - base.chroma[0], db - base.chroma[1]))
                out["colour_cast"] = _verdict(
                    "colour_cast", shift, th.colour_cast, {"a": round(da, 2), "b": round(db, 2)}
                )
            if "stripes" in want:
                out["stripes"] = _verdict("stripes", measures.stripe_score(white, base.spectrum), th.stripes)
            if "blur" in want:
                ratio = float(np.sqrt(min(1.0, sharp / max(base.sharpness, 1e-6)) * min(1.0, hf / max(base.hf, 1e-9))))
                out["blur"] = _verdict("blur", ratio, th.blur, {"laplacian": round(sharp, 4), "hf": round(hf, 5)})
            if "occlusion" in want:
                textured = base.texture > 8.0
                flat = texture < np.maximum(3.0, 0.3 * base.texture)
                share = float(np.count_nonzero(textured & flat)) / float(max(1, int(np.count_nonzero(textured))))
                out["occlusion"] = _verdict("occlusion", share, th.occlusion)
            if "scene_change" in want:
                moved, inliers = measures.view_shift(base.reference, current)
                out["scene_change"] = _verdict("scene_change", moved, th.scene_change, {"inliers": inliers})
        if learn:
            self._learn(out, _Baseline(sharp, hf, texture, current, luma, (da, db), white))
        return self._done(out, at, t0)

    def _learn(self, out: dict[Defect, CheckResult], now: _Baseline) -> None:
        """Start or nudge the baseline with a check that shows no defect at all."""
        if any(r.defect for r in out.values()):
            return
        base = self.baseline
        if base is None:
            self.baseline = now
            return
        # During the first baseline_checks checks the baseline is the running mean; afterwards it drifts slowly.
        forming = base.checks < self.config.baseline_checks
        rate = 1.0 / (base.checks + 1) if forming else _BASELINE_RATE
        base.sharpness += rate * (now.sharpness - base.sharpness)
        base.hf += rate * (now.hf - base.hf)
        base.luma += rate * (now.luma - base.luma)
        base.chroma = (
            base.chroma[0] + rate * (now.chroma[0] - base.chroma[0]),
            base.chroma[1] + rate * (now.chroma[1] - base.chroma[1]),
        )
        base.texture = base.texture + rate * (now.texture - base.texture)
        # the spectrum keeps its peaks: a fence seen once stays "normal" for the stripe check
        base.spectrum = np.maximum(now.spectrum, base.spectrum * (1.0 - rate) + now.spectrum * rate)
        base.reference = now.reference  # the newest clean view: matching it tolerates slow drift (people, light)
        base.checks += 1

    def _done(self, out: dict[Defect, CheckResult], at: float, t0: float) -> Diagnosis:
        baselined = self.baseline is not None and self.baseline.checks >= self.config.baseline_checks
        if not baselined:  # relative verdicts are not trusted before the baseline has formed
            for d in _RELATIVE & out.keys():
                r = out[d]
                out[d] = CheckResult(r.score, r.threshold, r.op, False, {**r.detail, "baseline": "forming"})
        return Diagnosis(at=at, results=out, ms=(time.perf_counter() - t0) * 1000.0, baselined=baselined)
