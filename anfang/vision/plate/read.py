"""Reading a plate crop: PP-OCRv4 recognition, grammar-constrained CTC decoding, colour; and ``PlateReader``.

Greedy CTC decoding of a general Chinese OCR model reads plates well but sometimes emits characters a plate
cannot hold (a non-province first glyph, ``O`` for ``0``, a stray ``:``). We first take the greedy string
(restricted to plate characters); if it is not grammatical after confusion repair, a Viterbi search over
CTC alignments finds the best string the grammar allows (7 characters, 8 for new-energy plates).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from anfang.vision.plate import grammar
from anfang.vision.plate.colour import plate_colour
from anfang.vision.plate.locate import PlateLocator
from anfang.vision.plate.ocr import REC_FILE, ocr_model_path, shared_session

REC_HEIGHT = 48


@dataclass
class Plate:
    """One read plate. ``box`` is ``x1, y1, x2, y2`` in the input image; ``valid`` = grammatical."""

    text: str
    colour: str
    confidence: float
    box: tuple[float, float, float, float]
    valid: bool
    raw: str = ""  # the recogniser's greedy output before repair, for debugging and search fallbacks
    kind: str | None = field(default=None)


class PlateRecognizer:
    """PP-OCRv4 recognition of one plate crop with grammar-aware decoding."""

    def __init__(self, models_dir: Path | None = None, threads: int = 2) -> None:
        path = ocr_model_path(REC_FILE, models_dir)
        self._session = shared_session(str(path), threads)
        self._input = self._session.get_inputs()[0].name
        chars = self._session.get_modelmeta().custom_metadata_map["character"].splitlines()
        self.charset = ["", *chars, " "]  # index 0 is the CTC blank, the last is the space class
        index = {c: i for i, c in enumerate(self.charset) if c}
        plate_chars = grammar.PROVINCES + grammar.ALNUM + grammar.SPECIAL_SUFFIXES + "IO"
        self._plate_ids = np.array(sorted({index[c] for c in plate_chars if c in index}))
        self._index = index

    def logits(self, crop_bgr: np.ndarray) -> np.ndarray:
        """(T, C) log-probabilities for a crop resized to height 48 (aspect kept)."""
        h, w = crop_bgr.shape[:2]
        width = max(int(np.ceil(REC_HEIGHT * w / max(h, 1))), 16)
        x = cv2.resize(crop_bgr, (width, REC_HEIGHT), interpolation=cv2.INTER_LINEAR).astype(np.float32)
        x = (x / 127.5 - 1.0).transpose(2, 0, 1)[None]
        probs = self._session.run(None, {self._input: x})[0][0]
        return np.log(np.clip(probs, 1e-12, 1.0))

    def greedy(self, logp: np.ndarray) -> tuple[str, float]:
        """Best-path decode over the blank + plate characters only; confidence = weakest character's prob."""
        ids = np.concatenate([[0], self._plate_ids])
        sub = logp[:, ids]
        best = ids[sub.argmax(1)]
        keep = (best != 0) & np.concatenate([[True], best[1:] != best[:-1]])
        text = "".join(self.charset[i] for i in best[keep])
        conf = float(np.exp(sub.max(1)[keep].min())) if keep.any() else 0.0
        return text, conf

    def constrained(self, logp: np.ndarray, sets: list[str]) -> tuple[str, float]:
        """Viterbi over CTC alignments of strings whose k-th character is in ``sets[k]``.

        States: "blank after k characters" and "inside character k" (one per allowed glyph). Returns the
        string and its mean per-frame probability (geometric), a comparable score between lengths.
        """
        t_len = len(logp)
        n = len(sets)
        ids = [np.array([self._index[c] for c in s if c in self._index]) for s in sets]
        neg = -1e9
        blank = np.full(n + 1, neg)
        blank[0] = 0.0
        inside = [np.full(len(i), neg) for i in ids]
        paths_b: list[str] = [""] * (n + 1)
        paths_c: list[list[str]] = [[""] * len(i) for i in ids]
        for t in range(t_len):
            row = logp[t]
            new_blank = blank.copy()
            new_inside = [v.copy() for v in inside]
            new_paths_b = list(paths_b)
            new_paths_c = [list(p) for p in paths_c]
            for k in range(n + 1):  # stay in / enter blank after k characters
                best, path = blank[k], paths_b[k]
                if k > 0 and len(inside[k - 1]):
                    j = int(inside[k - 1].argmax())
                    if inside[k - 1][j] > best:
                        best, path = inside[k - 1][j], paths_c[k - 1][j]
                new_blank[k], new_paths_b[k] = best + row[0], path
            for k in range(n):  # character k: repeat, or enter from blank / from a different previous char
                cand = inside[k].copy()
                src: list[tuple[str, int] | None] = [None] * len(cand)  # None = repeat (path unchanged)
                if blank[k] > neg:
                    better = blank[k] > cand
                    cand = np.where(better, blank[k], cand)
                    for hit in np.flatnonzero(better).tolist():
                        src[hit] = ("b", k)
                if k > 0 and len(inside[k - 1]):
                    prev = inside[k - 1]
                    order = np.argsort(prev)[::-1][:2]
                    for j, cid in enumerate(ids[k]):
                        p = int(order[0] if ids[k - 1][order[0]] != cid or len(order) < 2 else order[1])
                        if prev[p] > cand[j]:
                            cand[j], src[j] = prev[p], ("c", p)
                new_inside[k] = cand + row[ids[k]]
                for j, s in enumerate(src):
                    if s is None:
                        continue
                    base = paths_b[s[1]] if s[0] == "b" else paths_c[k - 1][s[1]]
                    new_paths_c[k][j] = base + self.charset[ids[k][j]]
            blank, inside, paths_b, paths_c = new_blank, new_inside, new_paths_b, new_paths_c
        j = int(inside[n - 1].argmax())
        if inside[n - 1][j] >= blank[n]:
            score, text = inside[n - 1][j], paths_c[n - 1][j]
        else:
            score, text = blank[n], paths_b[n]
        return text, float(np.exp(score / max(t_len, 1)))

    def read(self, crop_bgr: np.ndarray) -> tuple[str, float, str]:
        """``(text, confidence, raw)``: the repaired greedy read when grammatical, else the constrained read."""
        logp = self.logits(crop_bgr)
        raw, conf = self.greedy(logp)
        text = grammar.normalise(raw)
        if grammar.is_valid(text):
            return text, conf, raw
        if len(raw) < 4:  # the recogniser saw no plate-like line: the grammar must not invent one
            return "", 0.0, raw
        best = ("", 0.0)
        for length in (7, 8):
            candidate = self.constrained(logp, grammar.position_sets(length))
            if candidate[1] > best[1]:
                best = candidate
        # the geometric frame mean is not a character probability: report it scaled into the greedy range
        return best[0], min(conf, best[1]), raw


class PlateReader:
    """Find and read plates: ``read(image_bgr, box=None) -> list[Plate]``.

    ``box`` (e.g. a vehicle detection) limits the search to that region. An image that already looks like a
    plate crop (aspect 2..6, under 160 px tall) is read directly; otherwise the text detector proposes
    plate-shaped regions and each is read and kept when grammatical.
    """

    def __init__(self, models_dir: Path | None = None, threads: int = 2, min_confidence: float = 0.3) -> None:
        self.recognizer = PlateRecognizer(models_dir, threads)
        self._locator: PlateLocator | None = None
        self._models_dir = models_dir
        self._threads = threads
        self.min_confidence = min_confidence

    @property
    def locator(self) -> PlateLocator:
        if self._locator is None:  # loaded on first use: crop-only callers never pay for the detector
            self._locator = PlateLocator(self._models_dir, self._threads)
        return self._locator

    def read_crop(self, crop_bgr: np.ndarray, box: tuple[float, float, float, float] | None = None) -> Plate:
        """Read one tight plate crop."""
        text, conf, raw = self.recognizer.read(crop_bgr)
        colour, _ = plate_colour(crop_bgr)
        h, w = crop_bgr.shape[:2]
        kind = grammar.plate_kind(text)
        return Plate(text, colour, conf, box or (0.0, 0.0, float(w), float(h)), kind is not None, raw, kind)

    def read(self, image_bgr: np.ndarray, box: tuple[float, float, float, float] | None = None) -> list[Plate]:
        ox, oy = 0, 0
        if box is not None:
            x1, y1, x2, y2 = (int(round(v)) for v in box)
            h, w = image_bgr.shape[:2]
            ox, oy = max(x1, 0), max(y1, 0)
            image_bgr = image_bgr[oy : min(y2, h), ox : min(x2, w)]
        h, w = image_bgr.shape[:2]
        if h == 0 or w == 0:
            return []
        if h < 160 and 2.0 <= w / h <= 6.0:
            plate = self.read_crop(image_bgr, (float(ox), float(oy), float(ox + w), float(oy + h)))
            return [plate] if plate.text else []
        plates = []
        for crop, (bx1, by1, bx2, by2) in self.locator.locate(image_bgr):
            plate = self.read_crop(crop, (bx1 + ox, by1 + oy, bx2 + ox, by2 + oy))
            if plate.valid and plate.confidence >= self.min_confidence:
                plates.append(plate)
        plates.sort(key=lambda p: -p.confidence)
        return plates
