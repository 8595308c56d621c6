"""The measured ROC of every quality check on degraded real frames (docs/video-quality.md): AUC floors and
the operating point at the configured thresholds. Floors sit just under the measured values, so a change
that makes a check worse fails here."""

from __future__ import annotations

import math

import pytest

from anfang.quality.config import DEFECTS
from anfang.quality.degrade import PLAN
from anfang.quality.evaluation import DefectRoc, evaluate

# defect -> (AUC floor, TPR floor at the threshold); measured values are in docs/video-quality.md.
FLOORS = {
    "signal_loss": (0.99, 0.99),
    "frozen": (0.99, 0.99),
    "blur": (0.95, 0.65),
    "dark": (0.98, 0.95),
    "bright": (0.98, 0.90),
    "colour_cast": (0.98, 0.95),
    "noise": (0.98, 0.70),
    "occlusion": (0.97, 0.65),
    "scene_change": (0.98, 0.80),
    "stripes": (0.78, 0.25),
}


@pytest.fixture(scope="module")
def rocs() -> dict[str, DefectRoc]:
    return dict(evaluate(checks_per_clip=15))


@pytest.mark.parametrize("defect", DEFECTS)
def test_auc_and_operating_point(rocs: dict[str, DefectRoc], defect: str) -> None:
    r = rocs[defect]
    auc_floor, tpr_floor = FLOORS[defect]
    assert len(r.negatives) >= 25 and len(r.all_positives) >= 75
    assert not math.isnan(r.auc())
    assert r.auc() >= auc_floor, f"{defect}: AUC {r.auc():.3f}"
    assert r.tpr() >= tpr_floor, f"{defect}: TPR {r.tpr():.3f} at {r.op} {r.threshold}"
    assert r.fpr() == 0.0, f"{defect}: {r.fpr():.3f} of clean real checks flagged"


def test_strong_degradations_are_always_found(rocs: dict[str, DefectRoc]) -> None:
    """The strongest level (PLAN lists them weakest first) of every degradation but the stripes is detected
    on every probed frame; so are every "no signal" colour and both kinds of frozen repeat."""
    for defect, entries in PLAN.items():
        if defect == "stripes":
            continue
        by = rocs[defect].tpr_by_strength()
        for label, _, strengths in entries:
            levels = strengths if defect == "signal_loss" else strengths[-1:]
            for s in levels:
                assert by[(label, s)] == 1.0, f"{defect} {label} {s}: {by[(label, s)]:.2f}"
    assert all(rate == 1.0 for rate in rocs["frozen"].tpr_by_strength().values())
