"""Live-view helpers shared by the MJPEG stream, the overlay endpoint and its websocket.

The overlay JSON is what a browser playing HLS draws on a canvas over the video: the analytics run on
decoded frames, the video plays compressed, so boxes travel separately with the frame timestamp they
belong to and the frame size they are measured in.
"""

from __future__ import annotations

from typing import Any

import cv2

from anfang.config.models import CameraConfig
from anfang.core.detections import Detections
from anfang.core.frame import Frame
from anfang.core.taxonomy import class_name

JPEG_QUALITY = 80


def jpeg_of(frame: Frame, detections: Detections, camera: CameraConfig | None) -> bytes:
    """The frame as JPEG, annotated with boxes, zones and lines when ``camera`` is given."""
    image = frame.image
    if camera is not None:
        from anfang.video.snapshot import annotate

        image = annotate(image, detections, camera.zones, camera.lines)
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    return buf.tobytes()


def overlay_of(camera: CameraConfig, frame: Frame, detections: Detections) -> dict[str, Any]:
    """Boxes (source pixels), track ids, classes, zones and lines of the newest analysed frame."""
    n = len(detections)
    track_ids = detections.track_id.tolist() if detections.track_id is not None else [None] * n
    boxes = [
        {"box": [round(float(v), 1) for v in xyxy], "track_id": None if tid is None else int(tid),
         "class": class_name(int(cid)), "score": round(float(score), 3)}
        for xyxy, cid, score, tid in zip(detections.xyxy.tolist(), detections.class_id.tolist(),
                                         detections.confidence.tolist(), track_ids, strict=True)
    ]
    return {
        "camera_id": camera.id,
        "timestamp": frame.timestamp,
        "seq": frame.seq,
        "width": frame.width,
        "height": frame.height,
        "boxes": boxes,
        "zones": [{"name": z.name, "points": [list(p) for p in z.points]} for z in camera.zones],
        "lines": [{"name": ln.name, "a": list(ln.a), "b": list(ln.b)} for ln in camera.lines],
    }
