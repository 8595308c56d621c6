"""Cut and concatenate segments into one MP4 for any time range, copying packets (no re-encoding).

The output starts at the last keyframe at or before ``start`` (a decoder needs it; the clip is at most one
GOP longer than asked — about 1 s for our own encodes) and stops before the first frame at or after
``end``. Its timestamps start at 0; ``origin`` (epoch of its first frame) is returned so the API can say
where the clip sits in time. ``+faststart`` puts the index first, so a ``<video>`` starts playing at once.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import av

from anfang.recording.index import SegmentIndex

log = logging.getLogger(__name__)


def export_range(index: SegmentIndex, root: Path, camera_id: str, start: float, end: float,
                 out_path: Path) -> float | None:
    """Write ``[start, end)`` of ``camera_id`` to ``out_path``; returns the clip's epoch origin or ``None``."""
    segments = index.query(camera_id, start, end)
    if not segments:
        return None
    out = av.open(str(out_path), mode="w", format="mp4", options={"movflags": "+faststart"})
    ostream: Any = None
    shape: tuple[Any, ...] | None = None
    origin: float | None = None
    gop: list[tuple[Any, float, float]] = []  # packets since the last keyframe before ``start``
    try:
        for seg in segments:
            path = root / seg.path
            if not path.is_file():
                continue
            with av.open(str(path)) as inp:
                stream = inp.streams.video[0]
                ctx = stream.codec_context
                if ostream is None:
                    ostream, shape = out.add_stream_from_template(stream), (ctx.name, ctx.width, ctx.height)
                elif (ctx.name, ctx.width, ctx.height) != shape:
                    log.info("camera %s: export stops at a format change (%s)", camera_id, seg.path)
                    break
                for pkt in inp.demux(stream):
                    if pkt.pts is None or not pkt.size:
                        continue
                    t = seg.start + float(pkt.pts * pkt.time_base)
                    d = seg.start + float(pkt.dts * pkt.time_base) if pkt.dts is not None else t
                    if t >= end:
                        break
                    if origin is None:
                        if pkt.is_keyframe:
                            gop = []
                        gop.append((pkt, t, d))
                        if t < start:
                            continue
                        origin = gop[0][1]
                        for p, pt, dt in gop:
                            _mux(out, ostream, p, pt, dt, origin)
                        gop = []
                        continue
                    _mux(out, ostream, pkt, t, d, origin)
    finally:
        out.close()
    if origin is None:
        out_path.unlink(missing_ok=True)
    return origin


def _mux(out: Any, ostream: Any, pkt: Any, t: float, d: float, origin: float) -> None:
    tb = pkt.time_base
    pkt.pts = round((t - origin) / tb)
    pkt.dts = round((d - origin) / tb)
    pkt.stream = ostream
    out.mux(pkt)
