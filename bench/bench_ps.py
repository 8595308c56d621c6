"""PS demux throughput vs. raw file read, measured in the same run (ratio = demux MB/s ÷ read MB/s).

Usage: python bench/bench_ps.py [file.mpg]  (default: the G.711 PS sample in tests/data)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from anfang.protocols.rtp import PsDemuxer

DEFAULT = Path(__file__).resolve().parent.parent / "tests" / "data" / "gb28181" / "Audio_G711_PS2.mpg"


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    size = path.stat().st_size
    t0 = time.perf_counter()
    chunks = []
    with path.open("rb") as f:
        while chunk := f.read(1400):
            chunks.append(chunk)
    read_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    demux = PsDemuxer()
    units = 0
    for chunk in chunks:
        units += len(demux.feed(chunk))
    units += len(demux.flush())
    demux_s = time.perf_counter() - t0
    mb = size / 1e6
    print(f"file {path.name}: {mb:.1f} MB, {units} access units")
    print(f"read  (1400-byte chunks): {mb / read_s:8.1f} MB/s")
    print(f"demux (1400-byte chunks): {mb / demux_s:8.1f} MB/s  ({units / demux_s:,.0f} units/s)")
    print(f"ratio demux/read: {read_s / demux_s:.3f}")


if __name__ == "__main__":
    main()
