"""Licence plates: locate (PP-OCR text detector), read (PP-OCR recogniser + grammar), colour.

``PlateReader().read(image_bgr, box=None) -> list[Plate]`` is the one entry point other features use.
"""

from anfang.vision.plate.grammar import is_valid, normalise, plate_kind
from anfang.vision.plate.read import Plate, PlateReader, PlateRecognizer

__all__ = ["Plate", "PlateReader", "PlateRecognizer", "is_valid", "normalise", "plate_kind"]
