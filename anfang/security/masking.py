"""Privacy masking: blur faces and plates for users without see_identities.

Faces are found by the one :class:`~anfang.vision.face.detect.FaceDetector` that recognition uses too, with
the settings of ``faces.detector`` (BlazeFace from the offline model pack, whole image plus tiles for small
faces; OpenCV's Haar cascade when the pack lacks BlazeFace). Plates (and other text) are found by the PP-OCR
text detector (:class:`~anfang.vision.plate.locate.PlateLocator`). Both are given to :class:`Masker` when it
is built — :func:`build_masker` does that from the app config — there is no global registry.

Masking errs on the side of privacy: boxes are grown by a margin and the detector's threshold is low, because
an unblurred face is a leak while an extra blurred patch costs nothing. Pictures in which nothing is found are
returned byte-for-byte unchanged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import numpy as np

if TYPE_CHECKING:
    from anfang.vision.plate.locate import PlateLocator

log = logging.getLogger(__name__)

Locator = Callable[[np.ndarray], np.ndarray]  # BGR image -> (N, 4) float xyxy pixel boxes


def blur_boxes(image: np.ndarray, boxes: np.ndarray, margin: float = 0.25) -> np.ndarray:
    """Copy of ``image`` with each box (grown by ``margin``) pixelated beyond recognition."""
    out = image.copy()
    h, w = image.shape[:2]
    for x1, y1, x2, y2 in np.asarray(boxes, np.float32).reshape(-1, 4):
        mx, my = (x2 - x1) * margin, (y2 - y1) * margin
        a, b = int(max(0, x1 - mx)), int(max(0, y1 - my))
        c, d = int(min(w, x2 + mx)), int(min(h, y2 + my))
        if c - a < 2 or d - b < 2:
            continue
        # A fixed 6-block mosaic whatever the face size: fine mosaics of big faces stay recognisable.
        blocks = (6, max(1, round(6 * (d - b) / (c - a))))
        small = cv2.resize(out[b:d, a:c], blocks, interpolation=cv2.INTER_AREA)
        out[b:d, a:c] = cv2.resize(small, (c - a, d - b), interpolation=cv2.INTER_NEAREST)
    return out


class PlateBoxes:
    """A :class:`~anfang.vision.plate.locate.PlateLocator` as a :data:`Locator` (boxes only)."""

    def __init__(self, locator: PlateLocator) -> None:
        self.locator = locator

    def __call__(self, image: np.ndarray) -> np.ndarray:
        found = self.locator.locate(image)
        return np.asarray([box for _, box in found], np.float32).reshape(-1, 4)


class Masker:
    """Finds identities — faces with ``face_detector``, plates with ``plate_locator`` — and blurs them.

    ``face_detector`` is a :class:`~anfang.vision.face.detect.FaceDetector` (or any image → boxes callable);
    ``plate_locator`` is an image → boxes callable, or ``None`` for no plate masking.
    """

    def __init__(self, face_detector: Locator, plate_locator: Locator | None = None, rechecks: int = 1) -> None:
        self.face_detector = face_detector
        self.plate_locator = plate_locator
        # A masked picture is searched for faces again (this many times) and what is found is blurred too: a
        # face the detector doubts next to clear ones often clears the threshold once its neighbours are
        # blurred (measured: the half-hidden face on the Hamilton clip's last frame). Each recheck is one more
        # detector run on pictures with faces; 1 also brings leftovers down to the old detector's level.
        self.rechecks = rechecks

    def face_boxes(self, image: np.ndarray) -> np.ndarray:
        return np.asarray(self.face_detector(image), np.float32).reshape(-1, 4)

    def plate_boxes(self, image: np.ndarray) -> np.ndarray:
        if self.plate_locator is None:
            return np.zeros((0, 4), np.float32)
        return np.asarray(self.plate_locator(image), np.float32).reshape(-1, 4)

    def boxes(self, image: np.ndarray) -> np.ndarray:
        return np.concatenate([self.face_boxes(image), self.plate_boxes(image)])

    def _masked(self, image: np.ndarray) -> np.ndarray | None:
        """The blurred copy, or ``None`` when nothing was found."""
        boxes = self.boxes(image)
        if not len(boxes):
            return None
        out = blur_boxes(image, boxes)
        for _ in range(self.rechecks):
            more = self.face_boxes(out)
            if not len(more):
                break
            out = blur_boxes(out, more)
        return out

    def mask(self, image: np.ndarray) -> np.ndarray:
        masked = self._masked(image)
        return image if masked is None else masked

    def mask_jpeg(self, data: bytes, quality: int = 90) -> bytes:
        """Masked JPEG; the original bytes when nothing is found or the data is not an image."""
        image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
        if image is None:
            return data
        masked = self._masked(image)
        if masked is None:
            return data
        ok, buf = cv2.imencode(".jpg", masked, [cv2.IMWRITE_JPEG_QUALITY, quality])
        return buf.tobytes() if ok else b""


def build_masker(app_config: object, models_dir: Path | None = None) -> Masker:
    """The masker of an app: the face detector of ``faces.detector`` (``security.face_detector`` honoured,
    see :func:`~anfang.vision.face.config.face_detector_config`) and the pack's PP-OCR text detector.

    ``models_dir`` defaults to ``app_config.models_dir``, then the default pack. A pack without BlazeFace
    masks faces with the Haar cascade, one without the text detector does not mask plates; each logs one
    warning.
    """
    from anfang.models.paths import default_models_dir
    from anfang.vision.face.config import face_detector_config
    from anfang.vision.face.detect import FaceDetector
    from anfang.vision.plate.ocr import DET_FILE

    directory = Path(models_dir or getattr(app_config, "models_dir", None) or default_models_dir())
    faces = FaceDetector.load(directory, face_detector_config(app_config), threads=1)
    plates: Locator | None = None
    if (directory / DET_FILE).is_file():
        from anfang.vision.plate.locate import PlateLocator

        # It finds plates and other text alike; over-masking a shop sign costs nothing, an unmasked plate leaks.
        plates = PlateBoxes(PlateLocator(directory, threads=1))
    else:
        log.warning(
            "plate masking off: %s not in the model pack at %s (run `anfang models build`)", DET_FILE, directory
        )
    return Masker(faces, plates)
