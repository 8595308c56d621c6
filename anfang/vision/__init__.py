"""Detectors and other vision plug-ins (image in, :class:`~anfang.core.Detections` out)."""
