"""Faces on real photos (face_recognition's examples): detection, identification, compare CLI, watchlist video."""

from __future__ import annotations

import itertools
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from anfang.faces.config import FacesConfig
from anfang.vision.face import DEFAULT_MATCH_THRESHOLD, FaceAnalyzer

TEST_LABELS = {
    "alex_lacamoire1.jpg": {"alex_lacamoire"},
    "johnsnow_test1.jpg": {"kit_harington"},
    "kit_with_rose.jpg": {"kit_harington", "rose_leslie"},
    "obama1.jpg": {"obama"},
    "obama_and_biden.jpg": {"obama", "biden"},
}


@pytest.fixture(scope="module")
def analyzer(models_dir: Path) -> FaceAnalyzer:
    return FaceAnalyzer(models_dir)


@pytest.fixture(scope="module")
def knn(shared_data: Path) -> Path:
    return shared_data / "faces" / "face_recognition" / "knn_examples"


def test_config_default_matches_measured_threshold() -> None:
    assert FacesConfig().match_threshold == DEFAULT_MATCH_THRESHOLD
    assert FacesConfig().enabled is False


def test_identification_and_pair_separation(analyzer: FaceAnalyzer, knn: Path) -> None:
    gallery, labels = [], []
    singles: list[tuple[np.ndarray, str]] = []
    for photo in sorted(knn.glob("train/*/*")):
        faces = analyzer.analyze(cv2.imread(str(photo)))
        assert faces, photo
        face = max(faces, key=lambda f: f.box[2] - f.box[0])
        gallery.append(face.embedding)
        labels.append(photo.parent.name)
        singles.append((face.embedding, photo.parent.name))
        assert face.gender == ("female" if photo.parent.name == "rose_leslie" else "male")
    matrix = np.stack(gallery)
    correct = total = 0
    for name, expected in TEST_LABELS.items():
        faces = sorted(analyzer.analyze(cv2.imread(str(knn / "test" / name))), key=lambda f: -f.score)
        found = {labels[int((matrix @ f.embedding).argmax())] for f in faces[: len(expected)]}
        correct += len(found & expected)
        total += len(expected)
        if len(expected) == 1:
            singles.append((faces[0].embedding, next(iter(expected))))
    assert correct == total == 7  # measured 7/7
    genuine, impostor = [], []
    for (a, la), (b, lb) in itertools.combinations(singles, 2):
        (genuine if la == lb else impostor).append(float(a @ b))
    # at the default threshold: no false accepts and no false rejects on these 9 genuine / 57 impostor pairs
    assert min(genuine) >= DEFAULT_MATCH_THRESHOLD > max(impostor)


def _compare(a: Path, b: Path) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "anfang.cli", "faces", "compare", str(a), str(b)]
    return subprocess.run(cmd, capture_output=True, text=True)


def test_compare_cli(knn: Path, tmp_path: Path) -> None:
    same = _compare(knn / "train/obama/obama.jpg", knn / "test/obama1.jpg")
    assert same.returncode == 0 and same.stdout.split()[1] == "same"
    different = _compare(knn / "train/kit_harington/john1.jpeg", knn / "train/rose_leslie/img1.jpg")
    assert different.returncode == 0 and different.stdout.split()[1] == "different"
    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), np.full((100, 100, 3), 90, np.uint8))
    no_face = _compare(knn / "train/obama/obama.jpg", blank)
    assert no_face.returncode == 1 and "no face" in no_face.stderr
    unreadable = _compare(knn / "train/obama/obama.jpg", tmp_path / "missing.jpg")
    assert unreadable.returncode == 1 and "missing.jpg" in unreadable.stderr
