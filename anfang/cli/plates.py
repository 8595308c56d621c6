"""``anfang plates read IMAGE...``: read licence plates from image files (crops or whole scenes).

One line per image, tab-separated ``path, plate, colour, confidence``, so the output pipes into ``cut``/
``awk``; an image without a readable plate prints an empty plate with confidence 0, an unreadable file
goes to stderr and makes the exit status 1 (the other images are still read).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import cv2
import numpy as np


def _read(args: argparse.Namespace) -> int:
    from anfang.vision.plate import PlateReader

    reader = PlateReader(args.models_dir)
    status = 0
    for name in args.images:
        data = np.fromfile(name, np.uint8) if Path(name).is_file() else np.zeros(0, np.uint8)
        image = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
        if image is None:
            print(f"anfang plates: cannot read image {name}", file=sys.stderr)
            status = 1
            continue
        plates = reader.read(image)
        if plates:
            p = plates[0]
            print(f"{name}\t{p.text}\t{p.colour}\t{p.confidence:.3f}")
        else:
            print(f"{name}\t\t\t0")
    return status


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("plates", help="licence plate recognition")
    psub = p.add_subparsers(dest="plates_command", metavar="ACTION", required=True)
    r = psub.add_parser("read", help="read plates: prints path<TAB>plate<TAB>colour<TAB>confidence per image")
    r.add_argument("images", nargs="+", metavar="IMAGE")
    r.add_argument("--models-dir", type=Path, default=None, help="directory holding PP-OCR ONNX overrides")
    r.set_defaults(func=_read)
