"""One decoder for every picture that comes from outside (uploads, files, camera snapshots).

``cv2.imdecode`` raises an assertion on an empty buffer and returns None on garbage; callers used to handle
each case (or not). :func:`decode_picture` turns every failure into one :class:`PictureError` with a message
that says what was wrong, so an API route can answer 422 and a CLI can print one line.
"""

from __future__ import annotations

import cv2
import numpy as np

MIN_SIDE = 8  # smaller than this cannot be described by any of the models


class PictureError(ValueError):
    """The bytes are not a usable picture; the message says why."""


def decode_picture(data: bytes, what: str = "image", min_side: int = 1) -> np.ndarray:
    """BGR image from encoded bytes (JPEG, PNG, BMP...), or :class:`PictureError` naming ``what``."""
    if not data:
        raise PictureError(f"{what}: empty (a JPEG or PNG picture expected)")
    try:
        image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    except cv2.error:
        image = None
    if image is None or image.size == 0:
        raise PictureError(f"{what}: not a readable picture ({len(data)} bytes; JPEG, PNG or BMP expected)")
    if min(image.shape[:2]) < min_side:
        h, w = image.shape[:2]
        raise PictureError(f"{what}: {w}x{h} pixels is too small (at least {min_side}x{min_side})")
    return image
