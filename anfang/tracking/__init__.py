"""Multi-object tracking: detections in, detections with stable track ids out."""
