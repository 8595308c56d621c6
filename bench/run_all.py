"""Run every ``bench/bench_*.py`` and write their output to ``docs/benchmarks.md`` with the machine.

Each benchmark prints markdown (a heading, a table, a ratio against a baseline from the same run); this
runner only collects them, so a benchmark can also be run alone: ``python bench/bench_tracker.py``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 2**20:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{cpu}, {os.cpu_count()} cores{mem}, Python {platform.python_version()}, {platform.platform()}"


def main() -> int:
    ap = argparse.ArgumentParser(description="run the benchmarks and write docs/benchmarks.md")
    ap.add_argument("names", nargs="*", help="only these (e.g. tracker decode)")
    ap.add_argument("--out", default=str(REPO / "docs" / "benchmarks.md"))
    args = ap.parse_args()
    scripts = sorted((REPO / "bench").glob("bench_*.py"))
    if args.names:
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in args.names]
    parts = [
        "# Benchmarks\n",
        f"Measured {dt.date.today().isoformat()} on {machine()}.\n",
        "Each ratio compares against a baseline measured in the same run on the same machine; absolute",
        "times on this shared machine are noisy, the ratios are what to read. Re-run with `make bench`.\n",
    ]
    failed = 0
    for script in scripts:
        print(f"==> {script.name}", flush=True)
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, str(script)], cwd=REPO, capture_output=True, text=True)
        took = time.perf_counter() - t0
        sys.stdout.write(proc.stdout)
        if proc.returncode != 0:
            failed += 1
            sys.stderr.write(proc.stderr[-4000:])
            rel = script.relative_to(REPO)
            parts.append(f"## {script.stem}\n\nFAILED (exit {proc.returncode}) — see `python {rel}`\n")
        else:
            parts.append(proc.stdout.strip() + f"\n\n_({script.name}, {took:.0f} s)_\n")
    Path(args.out).write_text("\n".join(parts) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
