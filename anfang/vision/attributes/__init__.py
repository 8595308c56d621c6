"""Object attributes for structured records: clothing colours placed by pose keypoints, vehicle colour."""

from anfang.vision.attributes.colors import COLOR_CODES, PALETTE, ColorName, name_colors
from anfang.vision.attributes.person import PersonAttributes, PoseEstimator, person_attributes
from anfang.vision.attributes.vehicle import vehicle_attributes

__all__ = [
    "COLOR_CODES",
    "PALETTE",
    "ColorName",
    "PersonAttributes",
    "PoseEstimator",
    "name_colors",
    "person_attributes",
    "vehicle_attributes",
]
