"""anfang's object taxonomy.

Every detector maps its own label space (COCO-80, person-only, a user's YOLO export) onto these ids, so
rules, storage and the API never see a model's private class numbering.
"""

from __future__ import annotations

from enum import IntEnum


class ObjectClass(IntEnum):
    """Object classes a security operator reasons about."""

    PERSON = 0
    BICYCLE = 1
    CAR = 2
    MOTORCYCLE = 3
    BUS = 4
    TRUCK = 5


CLASS_NAMES: tuple[str, ...] = tuple(c.name.lower() for c in ObjectClass)

# COCO-80 (0-based, as in the detection models' output) → our taxonomy. Anything else is dropped.
COCO_TO_ANFANG: dict[int, ObjectClass] = {
    0: ObjectClass.PERSON,
    1: ObjectClass.BICYCLE,
    2: ObjectClass.CAR,
    3: ObjectClass.MOTORCYCLE,
    5: ObjectClass.BUS,
    7: ObjectClass.TRUCK,
}


def class_name(cid: int) -> str:
    """Name of a class id (``"unknown"`` for ids outside the taxonomy)."""
    return CLASS_NAMES[cid] if 0 <= cid < len(CLASS_NAMES) else "unknown"


def class_id(name: str) -> int:
    """Class id of a name; raises ``ValueError`` naming the valid choices."""
    try:
        return CLASS_NAMES.index(name.lower())
    except ValueError:
        raise ValueError(f"unknown object class {name!r}; expected one of {', '.join(CLASS_NAMES)}") from None
