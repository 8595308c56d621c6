"""Chinese licence-plate grammar (GA 36): what a plate string may look like, and how to repair OCR slips.

The recogniser reads characters; the grammar decides which strings are plates. Knowing which positions
must be letters and which digits lets us fix the classic OCR confusions (O/0, I/1, B/8, Z/2, D/0) only where
the grammar forbids what was read, so a legitimate ``B`` or ``8`` is never changed.
"""

from __future__ import annotations

import re

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
# Letters on plates: I and O are never issued (too close to 1 and 0).
LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
DIGITS = "0123456789"
ALNUM = LETTERS + DIGITS
SPECIAL_SUFFIXES = "警学挂港澳领使"

_ALNUM_RE = f"[{ALNUM}]"
_PATTERNS = {
    # province + issuing-authority letter + 5 alphanumerics (blue / yellow / black / white plates)
    "standard": re.compile(f"^[{PROVINCES}][{LETTERS}]{_ALNUM_RE}{{5}}$"),
    # new-energy (green, 8 characters): small cars D/F then 5 (first may be a letter), large vehicles 5 digits + D/F
    "new_energy": re.compile(f"^[{PROVINCES}][{LETTERS}](?:[DF]{_ALNUM_RE}[0-9]{{4}}|[0-9]{{5}}[DF])$"),
    # police, learner, trailer, Hong Kong / Macau, consulate, embassy: 4 alphanumerics + the suffix
    "special": re.compile(f"^[{PROVINCES}][{LETTERS}]{_ALNUM_RE}{{4}}[{SPECIAL_SUFFIXES}]$"),
}

# OCR confusion repair: what a wrongly read glyph most likely was, by what the position needs.
TO_DIGIT = {"O": "0", "D": "0", "Q": "0", "U": "0", "I": "1", "L": "1", "T": "1", "B": "8", "Z": "2", "S": "5"}
TO_LETTER = {"0": "D", "1": "J", "8": "B", "2": "Z", "5": "S", "6": "G", "4": "A", "7": "T"}
TO_ALNUM = {"O": "0", "I": "1"}


def plate_kind(text: str) -> str | None:
    """``standard`` / ``new_energy`` / ``special`` when ``text`` is a grammatical plate, else ``None``."""
    for kind, pattern in _PATTERNS.items():
        if pattern.match(text):
            return kind
    return None


def is_valid(text: str) -> bool:
    return plate_kind(text) is not None


def clean(text: str) -> str:
    """Drop what OCR adds around a plate: the separator dot, spaces, dashes, colons; upper-case Latin."""
    return re.sub(r"[\s·.．•:：\-_]", "", text).upper()


def normalise(text: str) -> str:
    """Repair OCR confusions at positions where the grammar forbids what was read.

    Position 1 must be a letter (0→D, 8→B, ...); later positions never hold I or O; in an 8-character
    new-energy plate the last four (small car) or the first five after the letter (large vehicle) are digits.
    A string that is already valid is returned unchanged.
    """
    text = clean(text)
    if len(text) < 7 or is_valid(text):
        return text
    chars = list(text)
    if chars[1] not in LETTERS:
        chars[1] = TO_LETTER.get(chars[1], chars[1])
    for i in range(2, len(chars)):
        chars[i] = TO_ALNUM.get(chars[i], chars[i])
    if len(chars) == 8 and chars[-1] not in SPECIAL_SUFFIXES:
        digit_positions = range(4, 8) if chars[2] in "DF" else range(2, 7)
        for i in digit_positions:
            if chars[i] not in DIGITS:
                chars[i] = TO_DIGIT.get(chars[i], chars[i])
    return "".join(chars)


def position_sets(length: int, special: bool = False) -> list[str]:
    """Allowed characters per position for a plate of ``length`` (7, or 8 for new-energy).

    Used by the constrained CTC decoder: it searches only over strings the grammar can produce.
    """
    if length == 7:
        last = SPECIAL_SUFFIXES if special else ALNUM
        return [PROVINCES, LETTERS] + [ALNUM] * 4 + [last]
    if length == 8:
        return [PROVINCES, LETTERS] + [ALNUM] * 6
    raise ValueError(f"plates have 7 or 8 characters, not {length}")
