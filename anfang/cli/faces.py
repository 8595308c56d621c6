"""``anfang faces compare IMAGE1 IMAGE2``: are these the same person?

Prints the cosine similarity of the largest face in each image and ``same`` or ``different`` at the
threshold (default: the one measured in docs/faces-plates.md). Exit 0 on a decision either way; exit 1
with a one-line reason for an unreadable image or an image without a face.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _compare(args: argparse.Namespace) -> int:
    from anfang.faces.library import FaceLibraryError, best_face, decode_image
    from anfang.models.pack import ModelPackError
    from anfang.models.paths import default_models_dir
    from anfang.vision.face.analyze import DEFAULT_MATCH_THRESHOLD, FaceAnalyzer, similarity

    threshold = DEFAULT_MATCH_THRESHOLD if args.threshold is None else args.threshold
    try:
        analyzer = FaceAnalyzer(args.models_dir or default_models_dir())
    except ModelPackError as exc:
        print(f"anfang faces: {exc}", file=sys.stderr)
        return 1
    faces = []
    for name in (args.image1, args.image2):
        try:
            data = Path(name).read_bytes()
            faces.append(best_face(analyzer, decode_image(data)))
        except (OSError, FaceLibraryError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else str(exc)
            print(f"anfang faces: {name}: {reason}", file=sys.stderr)
            return 1
    sim = similarity(faces[0].embedding, faces[1].embedding)
    print(f"{sim:.4f}\t{'same' if sim >= threshold else 'different'}")
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("faces", help="face comparison")
    fsub = p.add_subparsers(dest="faces_command", metavar="ACTION", required=True)
    c = fsub.add_parser("compare", help="similarity of two face images and same/different")
    c.add_argument("image1")
    c.add_argument("image2")
    c.add_argument("--threshold", type=float, default=None, help="cosine similarity for 'same' (default 0.56)")
    c.add_argument("--models-dir", type=Path, default=None)
    c.set_defaults(func=_compare)
