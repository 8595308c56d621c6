"""Host health for the console's system page: CPU, memory, and disk use of the data and recordings folders,
and ``storage``: the free-space policy's state (level, what is paused, refusals, events held in memory).

For console users (``camera.view``: viewer, operator, admin); the auditor sees the audit log only.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
import time
from pathlib import Path
from typing import Any

import psutil
from fastapi import APIRouter, Depends

from anfang import __version__
from anfang.api.deps import get_platform, require_permission
from anfang.platform import Platform
from anfang.recording.component import Recording

router = APIRouter(tags=["system"])

_CPU_MIN_SPAN_S = 0.25  # a shorter span than this is noise (one scheduler tick is 10 ms)


class _CpuMeter:
    """Whole-machine CPU busy percent (0-100 over all cores) since the previous reading.

    ``psutil.cpu_percent(interval=None)`` answers 0.0 on its first call in a process and for calls closer than
    a tick, and any other caller in the process moves its reference point: the system page showed 0 % at load
    5 on 2 cores. This keeps its own reference (``psutil.cpu_times()``, summed over cores) and, when there is
    none or it is too recent, samples for ``_CPU_MIN_SPAN_S`` first.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last: tuple[float, Any] | None = None

    @staticmethod
    def _busy_total(times: Any) -> tuple[float, float]:
        total = sum(times)
        idle = times.idle + getattr(times, "iowait", 0.0)
        return total - idle, total

    def percent(self) -> float:
        with self._lock:
            now = time.monotonic()
            if self._last is None or now - self._last[0] < _CPU_MIN_SPAN_S:
                start = (now, psutil.cpu_times())
                time.sleep(_CPU_MIN_SPAN_S)
            else:
                start = self._last
            end = (time.monotonic(), psutil.cpu_times())
            self._last = end
        busy0, total0 = self._busy_total(start[1])
        busy1, total1 = self._busy_total(end[1])
        if total1 <= total0:
            return 0.0
        return round(max(0.0, min(100.0, 100.0 * (busy1 - busy0) / (total1 - total0))), 1)


_cpu = _CpuMeter()
_SIZE_TTL_S = 30.0  # walking a large recordings folder is not free: reuse the sum for a while
_sizes: dict[str, tuple[float, int]] = {}
_sizes_lock = threading.Lock()


def _folder_size(path: Path) -> int:
    key = str(path)
    now = time.monotonic()
    with _sizes_lock:
        cached = _sizes.get(key)
        if cached and now - cached[0] < _SIZE_TTL_S:
            return cached[1]
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(root, name)).st_size
    with _sizes_lock:
        _sizes[key] = (now, total)
    return total


def _usage(path: Path) -> dict[str, Any]:
    probe = path
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    du = shutil.disk_usage(probe)
    return {
        "path": str(path),
        "total": du.total,
        "used": du.used,
        "free": du.free,
        "percent": round(du.used / du.total * 100.0, 1) if du.total else 0.0,
        "size": _folder_size(path) if path.is_dir() else 0,
    }


@router.get("/system", dependencies=[Depends(require_permission("camera.view"))])
def system(platform: Platform = Depends(get_platform)) -> dict[str, Any]:
    """CPU (percent of all cores since the previous call; a 0.25 s sample at least), memory, disk use, uptime."""
    mem = psutil.virtual_memory()
    data = Path(platform.data_dir)
    recording = platform.find(Recording)
    recordings = recording.service.root if recording is not None else data / "recordings"
    try:
        load = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        load = None
    return {
        "version": __version__,
        "uptime_s": (time.time() - platform.started_at) if platform.started_at else None,
        "cpu_percent": _cpu.percent(),
        "cpu_count": psutil.cpu_count() or 1,
        "load_avg": load,
        "memory": {
            "total": mem.total,
            "used": mem.total - mem.available,
            "percent": mem.percent,
            "process_rss": psutil.Process().memory_info().rss,
        },
        "disks": {"data_dir": _usage(data), "recordings": _usage(recordings)},
        "storage": platform.space.state(),  # anfang/store/space.py: e.g. "degraded — recordings paused"
    }
