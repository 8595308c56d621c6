"""Plate matching for search: exact, wildcard (``*`` any run, ``?`` one character) and fuzzy.

OCR misreads are not random: 0/D/Q/O, 8/B, 5/S, 2/Z, 1/I/L/7/T, 6/G, 4/A, U/V swap far more often than
arbitrary characters. Fuzzy matching is therefore a weighted edit distance where a confusable substitution
costs 0.5 and any other edit 1, so "皖A8E18" finds "皖AB E18" at 0.5 but "皖AXE18" only at 1. Wildcards keep
their meaning in fuzzy mode (``*`` absorbs any run at no cost).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

Mode = Literal["exact", "wildcard", "fuzzy"]
CONFUSABLE_COST = 0.5
_GROUPS = ("0DQOU", "8B", "5S", "2Z", "1IL7T", "6G", "4A", "UV", "MN", "CG", "EF", "HN", "KX", "PR")
_CONFUSABLE = {(a, b) for g in _GROUPS for a in g for b in g if a != b}
_STRIP = re.compile(r"[\s·•\-_.]")


def normalise_plate(text: str) -> str:
    """Upper-case, no separators: what OCR and people type both reduce to."""
    return _STRIP.sub("", text).upper()


def _glob_literal(text: str) -> str:
    return text.replace("[", "[[]")  # the only GLOB metacharacter a plate could carry besides * and ?


def sql_prefilter(query: str, mode: Mode, max_distance: float = 1.0) -> tuple[list[str] | None, tuple[int, int] | None]:
    """``(globs, lengths)`` that every plate matching ``query`` satisfies, for the database to apply first.

    exact / wildcard: one GLOB on the normalised plate (a literal prefix makes it an index range scan).
    fuzzy: each edit costs ≥ CONFUSABLE_COST, so at most ``e = max_distance / 0.5`` edits; cut the query's
    literal characters into ``e + 1`` disjoint pieces and at least one piece survives untouched, i.e. is a
    substring of the plate (pigeonhole) — ``GLOB '*piece*'`` for each, OR-ed. Without ``*`` the length can
    differ by at most ``max_distance`` (insertions/deletions cost 1).
    """
    q = normalise_plate(query)
    if mode in ("exact", "wildcard"):
        text = _glob_literal(q) if mode == "wildcard" else _glob_literal(q).replace("*", "[*]").replace("?", "[?]")
        return [text], None
    edits = int(max_distance / CONFUSABLE_COST + 1e-9)
    lengths = None
    if "*" not in q:
        slack = int(max_distance + 1e-9)
        lengths = (max(0, len(q) - slack), len(q) + slack)
    runs = [r for r in re.split(r"[*?]", q) if r]
    pieces: list[str] = []
    want = edits + 1
    if sum(map(len, runs)) >= want:
        pieces = list(runs)
        while len(pieces) < want:  # split the longest piece until there are enough
            longest = max(range(len(pieces)), key=lambda i: len(pieces[i]))
            piece = pieces.pop(longest)
            pieces += [piece[: len(piece) // 2], piece[len(piece) // 2 :]]
        pieces = sorted(pieces, key=len, reverse=True)[:want] if len(pieces) > want else pieces
    globs = [f"*{_glob_literal(p)}*" for p in pieces] if len(pieces) == want else None
    return globs, lengths


def substitution_cost(a: str, b: str) -> float:
    if a == b:
        return 0.0
    return CONFUSABLE_COST if (a, b) in _CONFUSABLE else 1.0


def wildcard_regex(pattern: str) -> re.Pattern[str]:
    parts = [".*" if c == "*" else "." if c == "?" else re.escape(c) for c in normalise_plate(pattern)]
    return re.compile("".join(parts))


def plate_distance(pattern: str, plate: str) -> float:
    """Weighted edit distance from ``pattern`` (may hold ``*``/``?``) to ``plate`` (both normalised)."""
    p, t = normalise_plate(pattern), normalise_plate(plate)
    prev = [float(j) for j in range(len(t) + 1)]  # row for the empty pattern prefix
    for pc in p:
        cur = [prev[0] + (0.0 if pc == "*" else 1.0)] + [0.0] * len(t)
        for j, tc in enumerate(t, 1):
            if pc == "*":
                cur[j] = min(prev[j], cur[j - 1])  # star matches nothing more, or swallows tc
            else:
                sub = 0.0 if pc == "?" else substitution_cost(pc, tc)
                cur[j] = min(prev[j - 1] + sub, prev[j] + 1.0, cur[j - 1] + 1.0)
        prev = cur
    return prev[-1]


def match_plates(
    query: str, plates: Iterable[tuple[str, str]], mode: Mode = "exact", max_distance: float = 1.0
) -> list[tuple[str, str, float]]:
    """``(id, plate, distance)`` for each ``(id, plate)`` that matches, best first (distance 0 for exact and
    wildcard matches)."""
    q = normalise_plate(query)
    out: list[tuple[str, str, float]] = []
    if mode == "exact":
        out = [(rid, plate, 0.0) for rid, plate in plates if normalise_plate(plate) == q]
    elif mode == "wildcard":
        rx = wildcard_regex(q)
        out = [(rid, plate, 0.0) for rid, plate in plates if rx.fullmatch(normalise_plate(plate))]
    elif mode == "fuzzy":
        fixed = q.replace("*", "").replace("?", "")
        for rid, plate in plates:
            norm = normalise_plate(plate)
            if "*" not in q and abs(len(norm) - len(q)) > max_distance:
                continue  # cheap length bound before the O(n·m) table
            if "*" in q and len(norm) < len(fixed) - max_distance:
                continue
            d = plate_distance(q, norm)
            if d <= max_distance:
                out.append((rid, plate, d))
    else:
        raise ValueError(f"unknown plate search mode {mode!r}; expected exact, wildcard or fuzzy")
    out.sort(key=lambda item: item[2])
    return out
