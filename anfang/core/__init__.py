"""The one data model that flows through every pipeline stage."""

from anfang.core.detections import Detections
from anfang.core.frame import Frame
from anfang.core.taxonomy import CLASS_NAMES, ObjectClass, class_id, class_name

__all__ = ["CLASS_NAMES", "Detections", "Frame", "ObjectClass", "class_id", "class_name"]
