"""Multi-object tracking: detections in, detections with stable track ids out."""

from anfang.tracking.byte_tracker import ByteTracker

__all__ = ["ByteTracker"]
