"""anfang (安防): an open-source intelligent security platform.

Cameras in; detections, tracks, alarms and structured records out.
"""

__version__ = "0.1.0"
