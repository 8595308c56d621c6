"""Plates are masked like faces for users without see_identities (PP-OCR text detector from the pack)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from anfang.config import parse_config
from anfang.platform import Platform
from anfang.security.component import Security
from anfang.vision.hog import HogDetector
from anfang.vision.plate import PlateReader


def test_plates_are_masked(shared_data: Path, models_dir: Path, tmp_path: Path) -> None:
    platform = Platform(parse_config({"data_dir": str(tmp_path)}), detector=HogDetector())
    reader = PlateReader(models_dir)
    crops = sorted((shared_data / "lpr" / "hyperlpr").glob("_*.jpg"))
    assert crops
    read_before = read_after = 0
    for path in crops:
        image = cv2.imdecode(np.fromfile(path, np.uint8), cv2.IMREAD_COLOR)
        label = path.stem.split("_")[-1]
        before = [p.text for p in reader.read(image)]
        masked = platform.get(Security).masker.mask(image)
        after = [p.text for p in reader.read(masked)]
        read_before += label in before
        read_after += label in after
    platform.stop()
    assert read_before >= 3, "the reader must read these plates unmasked, or the test proves nothing"
    assert read_after == 0, "a plate was still readable after masking"

