"""Evidence pictures: the full frame with the event's box drawn, a clean crop, and the live overlay.

Drawing always happens on a copy: the pipeline keeps the untouched frame for the clean crop (search by
image and face/plate recognition need pixels without our rectangles) and for the next stages.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import cv2
import numpy as np

from anfang.core.detections import Detections
from anfang.core.taxonomy import class_name

# BGR colours per class id (person, bicycle, car, motorcycle, bus, truck); unknown ids fall back to grey.
_CLASS_COLOURS: tuple[tuple[int, int, int], ...] = (
    (0, 200, 255),
    (255, 160, 0),
    (60, 220, 60),
    (255, 0, 200),
    (0, 120, 255),
    (200, 200, 0),
)
_EVENT_COLOUR = (0, 0, 255)
_ZONE_COLOUR = (255, 200, 0)
_LINE_COLOUR = (0, 255, 255)
_FONT = cv2.FONT_HERSHEY_SIMPLEX


def class_colour(cid: int) -> tuple[int, int, int]:
    return _CLASS_COLOURS[cid] if 0 <= cid < len(_CLASS_COLOURS) else (160, 160, 160)


def encode_jpeg(image: np.ndarray, quality: int = 85) -> bytes:
    """JPEG bytes of a BGR image (raises ``ValueError`` if OpenCV cannot encode it)."""
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:
        raise ValueError(f"cannot encode a {image.shape} image as JPEG")
    return buf.tobytes()


def _label(image: np.ndarray, text: str, x: int, y: int, colour: tuple[int, int, int]) -> None:
    """Filled label above (or, at the top edge, inside) a box, readable on any background."""
    scale = max(0.4, image.shape[0] / 1200)
    thick = max(1, round(scale * 2))
    (tw, th), base = cv2.getTextSize(text, _FONT, scale, thick)
    top = y - th - base - 4 if y - th - base - 4 >= 0 else y
    cv2.rectangle(image, (x, top), (x + tw + 4, top + th + base + 4), colour, -1)
    cv2.putText(image, text, (x + 2, top + th + 2), _FONT, scale, (0, 0, 0), thick, cv2.LINE_AA)


def _int_box(box: Sequence[float], width: int, height: int) -> tuple[int, int, int, int]:
    x1, y1, x2, y2 = (float(v) for v in box)
    return (
        int(np.clip(round(x1), 0, width - 1)),
        int(np.clip(round(y1), 0, height - 1)),
        int(np.clip(round(x2), 0, width - 1)),
        int(np.clip(round(y2), 0, height - 1)),
    )


def draw_box(
    image: np.ndarray, box: Sequence[float], label: str | None = None, colour: tuple[int, int, int] = _EVENT_COLOUR
) -> np.ndarray:
    """A copy of ``image`` with one labelled box drawn on it."""
    out = image.copy()
    h, w = out.shape[:2]
    x1, y1, x2, y2 = _int_box(box, w, h)
    cv2.rectangle(out, (x1, y1), (x2, y2), colour, max(2, round(h / 300)))
    if label:
        _label(out, label, x1, y1, colour)
    return out


def crop(image: np.ndarray, box: Sequence[float], pad: float = 0.15, min_side: int = 32) -> np.ndarray:
    """A clean copy of the box's pixels, grown by ``pad`` of its size (context helps a human and a ReID model)."""
    h, w = image.shape[:2]
    x1, y1, x2, y2 = (float(v) for v in box)
    px = max((x2 - x1) * pad, (min_side - (x2 - x1)) / 2, 0.0)
    py = max((y2 - y1) * pad, (min_side - (y2 - y1)) / 2, 0.0)
    cx1, cy1 = int(max(0, np.floor(x1 - px))), int(max(0, np.floor(y1 - py)))
    cx2, cy2 = int(min(w, np.ceil(x2 + px))), int(min(h, np.ceil(y2 + py)))
    if cx2 <= cx1 or cy2 <= cy1:
        raise ValueError(f"box {tuple(box)} lies outside the {w}x{h} image")
    return image[cy1:cy2, cx1:cx2].copy()


def event_images(
    image: np.ndarray, box: Sequence[float] | None, label: str | None, quality: int = 85
) -> tuple[bytes, bytes | None]:
    """(snapshot, crop) JPEG bytes for one event; no box (e.g. a zone-wide event) → plain frame, no crop."""
    if box is None:
        return encode_jpeg(image, quality), None
    snapshot = encode_jpeg(draw_box(image, box, label), quality)
    try:
        clean = encode_jpeg(crop(image, box), quality)
    except ValueError:
        clean = None
    return snapshot, clean


def annotate(
    image: np.ndarray, detections: Detections | None, zones: Sequence[Any] = (), lines: Sequence[Any] = ()
) -> np.ndarray:
    """A copy of ``image`` with zones, lines and boxes (class, track id, score) drawn — the live overlay.

    ``zones`` / ``lines`` are :class:`~anfang.config.models.ZoneConfig` / ``LineConfig`` (``name`` plus
    ``points`` or ``a``/``b`` in source pixels).
    """
    out = image.copy()
    h = out.shape[0]
    thick = max(1, round(h / 400))
    for zone in zones:
        pts = np.asarray(zone.points, dtype=np.int32).reshape(-1, 1, 2)
        cv2.polylines(out, [pts], True, _ZONE_COLOUR, thick, cv2.LINE_AA)
        x, y = pts[:, 0, :].min(axis=0)
        _label(out, zone.name, int(x), int(y) + 20, _ZONE_COLOUR)
    for line in lines:
        a = (int(line.a[0]), int(line.a[1]))
        b = (int(line.b[0]), int(line.b[1]))
        cv2.arrowedLine(out, a, b, _LINE_COLOUR, thick + 1, cv2.LINE_AA, tipLength=0.03)
        _label(out, line.name, a[0], a[1], _LINE_COLOUR)
    if detections is None or len(detections) == 0:
        return out
    boxes = np.round(detections.xyxy).astype(np.int32)
    tracks = detections.track_id
    # One drawing call per box is unavoidable with OpenCV; it is the overlay, not the analysis hot path.
    for i, (x1, y1, x2, y2) in enumerate(boxes.tolist()):
        cid = int(detections.class_id[i])
        colour = class_colour(cid)
        cv2.rectangle(out, (x1, y1), (x2, y2), colour, thick + 1)
        text = class_name(cid)
        if tracks is not None and tracks[i] >= 0:
            text += f" #{int(tracks[i])}"
        text += f" {float(detections.confidence[i]):.2f}"
        _label(out, text, x1, y1, colour)
    return out
